package core

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/polygram/polygram/mtproto/crypto"
	"github.com/polygram/polygram/session"
	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/api"
	"github.com/polygram/polygram/tl/rpcerr"
)

// SentCode is the answer to SendCode.
type SentCode struct {
	Phone string
	// Hash is the phone_code_hash to pass to SignIn or SignUp.
	Hash string
	// Type says how the code was sent: "app", "sms", "call", …
	Type string
	// Length is the code's length when known.
	Length int
	// Timeout is how long to wait before asking to resend, when given.
	Timeout time.Duration
}

// SendCode asks Telegram to send a login code to phone. When the number
// belongs to another data centre, the client moves there (PHONE_MIGRATE).
func (c *Client) SendCode(ctx context.Context, phone string) (*SentCode, error) {
	phone = normalizePhone(phone)
	res, err := c.Invoke(ctx, &api.AuthSendCodeRequest{PhoneNumber: phone, APIID: c.cfg.APIID, APIHash: c.cfg.APIHash,
		Settings: &api.CodeSettings{}})
	if err != nil {
		return nil, err
	}
	sc, ok := res.(*api.AuthSentCode)
	if !ok {
		return nil, fmt.Errorf("core: auth.sendCode answered %T (already logged in?)", res)
	}
	out := &SentCode{Phone: phone, Hash: sc.PhoneCodeHash, Timeout: time.Duration(sc.Timeout.Val) * time.Second}
	switch t := sc.Type.(type) {
	case *api.AuthSentCodeTypeApp:
		out.Type, out.Length = "app", int(t.Length)
	case *api.AuthSentCodeTypeSMS:
		out.Type, out.Length = "sms", int(t.Length)
	case *api.AuthSentCodeTypeCall:
		out.Type, out.Length = "call", int(t.Length)
	default:
		out.Type = strings.TrimPrefix(tl.Name(sc.Type), "auth.sentCodeType")
	}
	return out, nil
}

func normalizePhone(p string) string {
	var b strings.Builder
	for _, r := range p {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// SignIn completes a code login. It returns ErrPasswordNeeded when the
// account has 2FA (call CheckPassword) and ErrSignUpRequired when the number
// has no account (call SignUp).
func (c *Client) SignIn(ctx context.Context, phone, hash, code string) (*api.User, error) {
	res, err := c.Invoke(ctx, &api.AuthSignInRequest{PhoneNumber: normalizePhone(phone), PhoneCodeHash: hash,
		PhoneCode: tl.Some(strings.TrimSpace(code))})
	if err != nil {
		if e, ok := AsRPCError(err); ok && e.Name == rpcerr.ErrSessionPasswordNeeded {
			return nil, fmt.Errorf("%w", ErrPasswordNeeded)
		}
		return nil, err
	}
	return c.authorized(res)
}

// SignUp registers a new account after SignIn returned ErrSignUpRequired.
func (c *Client) SignUp(ctx context.Context, phone, hash, firstName, lastName string) (*api.User, error) {
	res, err := c.Invoke(ctx, &api.AuthSignUpRequest{PhoneNumber: normalizePhone(phone), PhoneCodeHash: hash,
		FirstName: firstName, LastName: lastName})
	if err != nil {
		return nil, err
	}
	return c.authorized(res)
}

// CheckPassword completes a login with the account's 2FA password (SRP: the
// password never leaves the process).
func (c *Client) CheckPassword(ctx context.Context, password string) (*api.User, error) {
	res, err := c.Invoke(ctx, &api.AccountGetPasswordRequest{})
	if err != nil {
		return nil, err
	}
	pw := res.(*api.AccountPassword)
	algo, ok := pw.CurrentAlgo.(*api.PasswordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow)
	if !ok || !pw.HasPassword {
		return nil, errors.New("core: the account has no password, or uses an algorithm this client does not know")
	}
	proof, err := crypto.ComputeSRPProof([]byte(password), crypto.SRPParams{Salt1: algo.Salt1, Salt2: algo.Salt2,
		G: int(algo.G), P: algo.P}, pw.SRPB, nil)
	if err != nil {
		return nil, err
	}
	res, err = c.Invoke(ctx, &api.AuthCheckPasswordRequest{Password: &api.InputCheckPasswordSRP{
		SRPID: pw.SRPID.Val, A: proof.A, M1: proof.M1}})
	if err != nil {
		return nil, err
	}
	return c.authorized(res)
}

// PasswordHint returns the hint of the account's 2FA password.
func (c *Client) PasswordHint(ctx context.Context) (string, error) {
	res, err := c.Invoke(ctx, &api.AccountGetPasswordRequest{})
	if err != nil {
		return "", err
	}
	return res.(*api.AccountPassword).Hint.Val, nil
}

// SignInBot logs in as a bot with its token ("123:ABC…").
func (c *Client) SignInBot(ctx context.Context, token string) (*api.User, error) {
	res, err := c.Invoke(ctx, &api.AuthImportBotAuthorizationRequest{APIID: c.cfg.APIID, APIHash: c.cfg.APIHash,
		BotAuthToken: token})
	if err != nil {
		return nil, err
	}
	return c.authorized(res)
}

// authorized records a completed login.
func (c *Client) authorized(res any) (*api.User, error) {
	auth, ok := res.(*api.AuthAuthorization)
	if !ok {
		if _, up := res.(*api.AuthAuthorizationSignUpRequired); up {
			return nil, ErrSignUpRequired
		}
		return nil, fmt.Errorf("core: unexpected login answer %T", res)
	}
	u, ok := auth.User.(*api.User)
	if !ok {
		return nil, fmt.Errorf("core: login answered without a user")
	}
	if err := c.store.SetSelf(&session.Self{UserID: u.ID, Bot: u.Bot, DC: c.MainDC()}); err != nil {
		return nil, fmt.Errorf("core: saving the login: %w", err)
	}
	if err := c.store.SetMainDC(c.MainDC()); err != nil {
		return nil, err
	}
	c.cachePeers([]api.UserClass{u}, nil)
	return u, nil
}

// IsAuthorized reports whether the session is logged in, asking the server
// when the session says so (a session logged out elsewhere reports false).
//
// A session imported from another library may hold an auth key but no
// self user (Telethon does not store it): the server is asked then too, and
// the self user recorded.
func (c *Client) IsAuthorized(ctx context.Context) (bool, error) {
	self, err := c.store.Self()
	if err != nil {
		return false, err
	}
	if self == nil {
		key, err := c.store.AuthKey(c.MainDC())
		if err != nil || key == nil {
			return false, err
		}
	}
	res, err := c.Invoke(ctx, &api.UsersGetUsersRequest{ID: []api.InputUserClass{&api.InputUserSelf{}}})
	if errors.Is(err, ErrUnauthorized) {
		c.store.SetSelf(nil)
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if self == nil {
		users := res.([]api.UserClass)
		if len(users) == 0 {
			return false, nil
		}
		u, ok := users[0].(*api.User)
		if !ok {
			return false, nil
		}
		if err := c.store.SetSelf(&session.Self{UserID: u.ID, Bot: u.Bot, DC: c.MainDC()}); err != nil {
			return false, err
		}
	}
	return true, nil
}

// LogOut logs the session out and forgets the login.
func (c *Client) LogOut(ctx context.Context) error {
	_, err := c.Invoke(ctx, &api.AuthLogOutRequest{})
	if err != nil && !errors.Is(err, ErrUnauthorized) {
		return err
	}
	return c.store.SetSelf(nil)
}

// QRLogin logs in by QR code: show is called with each tg://login URL to
// display (a new one when the previous expires) until another logged-in
// session accepts it (AcceptQRLogin there). A 2FA account answers
// ErrPasswordNeeded; call CheckPassword then.
func (c *Client) QRLogin(ctx context.Context, show func(url string, expires time.Time) error) (*api.User, error) {
	for {
		res, err := c.Invoke(ctx, &api.AuthExportLoginTokenRequest{APIID: c.cfg.APIID, APIHash: c.cfg.APIHash, ExceptIDs: []int64{}})
		if err != nil {
			if e, ok := AsRPCError(err); ok && e.Name == rpcerr.ErrSessionPasswordNeeded {
				return nil, ErrPasswordNeeded
			}
			return nil, err
		}
		switch t := res.(type) {
		case *api.AuthLoginTokenSuccess:
			return c.authorized(t.Authorization)
		case *api.AuthLoginTokenMigrateTo:
			if err := c.setMainDC(int(t.DCID)); err != nil {
				return nil, err
			}
			res, err := c.Invoke(ctx, &api.AuthImportLoginTokenRequest{Token: t.Token})
			if err != nil {
				return nil, err
			}
			if s, ok := res.(*api.AuthLoginTokenSuccess); ok {
				return c.authorized(s.Authorization)
			}
			return nil, fmt.Errorf("core: auth.importLoginToken answered %T", res)
		case *api.AuthLoginToken:
			expires := time.Unix(int64(t.Expires), 0)
			url := "tg://login?token=" + base64.RawURLEncoding.EncodeToString(t.Token)
			if err := show(url, expires); err != nil {
				return nil, err
			}
			wait := time.Until(expires)
			if wait < time.Second {
				wait = time.Second
			}
			timer := time.NewTimer(wait)
			select {
			case <-c.loginTokens:
			case <-timer.C:
			case <-ctx.Done():
				timer.Stop()
				return nil, ctx.Err()
			}
			timer.Stop()
		}
	}
}

// AcceptQRLogin accepts a tg://login URL (or its raw token) shown by another
// device, from this logged-in session.
func (c *Client) AcceptQRLogin(ctx context.Context, urlOrToken string) error {
	tok := strings.TrimPrefix(urlOrToken, "tg://login?token=")
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return fmt.Errorf("core: not a tg://login URL: %w", err)
	}
	_, err = c.Invoke(ctx, &api.AuthAcceptLoginTokenRequest{Token: raw})
	return err
}

// AuthState is where an interactive login stands.
type AuthState string

// Auth states reported by Login.
const (
	AuthWaitPhone        AuthState = "wait_phone"
	AuthWaitCode         AuthState = "wait_code"
	AuthWaitPassword     AuthState = "wait_password"
	AuthWaitRegistration AuthState = "wait_registration"
	AuthWaitQR           AuthState = "wait_qr"
	AuthReady            AuthState = "ready"
)

// LoginOptions drive Login. Set BotToken for a bot; otherwise Phone and Code
// (and Password for 2FA accounts, FirstName for new accounts) are asked for
// when needed.
type LoginOptions struct {
	BotToken string
	Phone    func(ctx context.Context) (string, error)
	Code     func(ctx context.Context, sent *SentCode) (string, error)
	Password func(ctx context.Context, hint string) (string, error)
	// FirstName and LastName register a new account; without them a number
	// with no account fails with ErrSignUpRequired.
	FirstName, LastName string
	// QR, when set, logs in by QR code instead of phone (see QRLogin).
	QR func(url string, expires time.Time) error
	// OnState reports each state the login passes through.
	OnState func(AuthState)
}

// Login logs in unless the session already is, driving the whole flow:
// phone, code, sign-up and 2FA password, or bot token, or QR code.
func (c *Client) Login(ctx context.Context, o LoginOptions) (*api.User, error) {
	state := func(s AuthState) {
		if o.OnState != nil {
			o.OnState(s)
		}
	}
	if ok, err := c.IsAuthorized(ctx); err != nil {
		return nil, err
	} else if ok {
		state(AuthReady)
		return c.GetMe(ctx)
	}
	var u *api.User
	var err error
	switch {
	case o.BotToken != "":
		u, err = c.SignInBot(ctx, o.BotToken)
	case o.QR != nil:
		state(AuthWaitQR)
		u, err = c.QRLogin(ctx, o.QR)
	default:
		if o.Phone == nil || o.Code == nil {
			return nil, errors.New("core: Login needs Phone and Code (or BotToken, or QR)")
		}
		state(AuthWaitPhone)
		var phone string
		if phone, err = o.Phone(ctx); err != nil {
			return nil, err
		}
		var sent *SentCode
		if sent, err = c.SendCode(ctx, phone); err != nil {
			return nil, err
		}
		state(AuthWaitCode)
		var code string
		if code, err = o.Code(ctx, sent); err != nil {
			return nil, err
		}
		u, err = c.SignIn(ctx, sent.Phone, sent.Hash, code)
		if errors.Is(err, ErrSignUpRequired) && o.FirstName != "" {
			state(AuthWaitRegistration)
			u, err = c.SignUp(ctx, sent.Phone, sent.Hash, o.FirstName, o.LastName)
		}
	}
	if errors.Is(err, ErrPasswordNeeded) {
		if o.Password == nil {
			return nil, err
		}
		state(AuthWaitPassword)
		hint, herr := c.PasswordHint(ctx)
		if herr != nil {
			return nil, herr
		}
		var pw string
		if pw, err = o.Password(ctx, hint); err != nil {
			return nil, err
		}
		u, err = c.CheckPassword(ctx, pw)
	}
	if err != nil {
		return nil, err
	}
	state(AuthReady)
	return u, nil
}
