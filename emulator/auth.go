package emulator

import (
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"github.com/polygram/polygram/mtproto/crypto"
	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/api"
)

// How long login codes, exported authorizations and QR tokens live.
const (
	codeTTL        = 5 * time.Minute
	exportTTL      = 5 * time.Minute
	loginTokenTTL  = 30 * time.Second
	codeLength     = 5
	srpAttemptsMax = 8
)

func init() {
	on(anyKey, authSendCode)
	on(anyKey, authResendCode)
	on(anyKey, authCancelCode)
	on(anyKey, authSignIn)
	on(anyKey, authSignUp)
	on(pendingOrUs, accountGetPassword)
	on(pendingOrUs, authCheckPassword)
	on(anyKey, authImportBotAuthorization)
	on(needUser, authLogOut)
	on(needUser, authExportAuthorization)
	on(anyKey, authImportAuthorization)
	on(anyKey, authExportLoginToken)
	on(anyKey, authImportLoginToken)
	on(needUser, authAcceptLoginToken)
}

// bind authorizes a key as a user. Keys bound by a login (not by
// auth.importAuthorization) receive the user's updates.
func (e *Emulator) bind(c *call, u *user, imported bool) {
	ks := c.ks
	e.unbind(ks)
	ks.user, ks.imported, ks.pendingUser = u.ID, imported, 0
	if e.userKeys[u.ID] == nil {
		e.userKeys[u.ID] = map[keyRef]bool{}
	}
	e.userKeys[u.ID][ks.ref] = true
	c.u = u
	if c.sess != nil {
		ks.out.attach(c.sess, !imported)
	}
}

// unbind logs a key out.
func (e *Emulator) unbind(ks *keyState) {
	if ks.user != 0 {
		delete(e.userKeys[ks.user], ks.ref)
		if len(e.userKeys[ks.user]) == 0 {
			delete(e.userKeys, ks.user)
		}
	}
	ks.user, ks.imported, ks.pendingUser = 0, false, 0
	ks.srp = nil
	ks.out.reset()
}

// authorization answers a successful login.
func (m *model) authorization(u *user) *api.AuthAuthorization {
	return &api.AuthAuthorization{User: m.renderUser(u, u, false)}
}

func (c *call) phone(raw string) (string, error) {
	p := normPhone(raw)
	if p == "" {
		return "", errf(400, "PHONE_NUMBER_INVALID")
	}
	if dc := c.e.m.phoneDC(p); dc != c.dc.id {
		return "", errf(303, "PHONE_MIGRATE_"+strconv.Itoa(dc))
	}
	return p, nil
}

func authSendCode(c *call, q *api.AuthSendCodeRequest) (tl.Object, error) {
	m := c.e.m
	if q.APIID == 0 || q.APIHash == "" {
		return nil, errf(400, "API_ID_INVALID")
	}
	phone, err := c.phone(q.PhoneNumber)
	if err != nil {
		return nil, err
	}
	return m.sendCode(phone, c.dc.id), nil
}

func (m *model) sendCode(phone string, dc int) *api.AuthSentCode {
	hash := hex.EncodeToString(randomToken(9))
	m.codes[hash] = &sentCode{phone: phone, dc: dc, expires: m.now().Add(codeTTL)}
	var typ api.AuthSentCodeTypeClass = &api.AuthSentCodeTypeSMS{Length: codeLength}
	if _, ok := m.phones[phone]; ok {
		// A registered account gets its code in the app, as on Telegram.
		typ = &api.AuthSentCodeTypeApp{Length: codeLength}
	}
	return &api.AuthSentCode{Type: typ, PhoneCodeHash: hash, NextType: &api.AuthCodeTypeSMS{}, Timeout: tl.Some(int32(60))}
}

func authResendCode(c *call, q *api.AuthResendCodeRequest) (tl.Object, error) {
	phone, err := c.phone(q.PhoneNumber)
	if err != nil {
		return nil, err
	}
	if _, err := c.e.m.code(phone, q.PhoneCodeHash); err != nil {
		return nil, err
	}
	delete(c.e.m.codes, q.PhoneCodeHash)
	return c.e.m.sendCode(phone, c.dc.id), nil
}

func authCancelCode(c *call, q *api.AuthCancelCodeRequest) (tl.Object, error) {
	phone, err := c.phone(q.PhoneNumber)
	if err != nil {
		return nil, err
	}
	if _, err := c.e.m.code(phone, q.PhoneCodeHash); err != nil {
		return nil, err
	}
	delete(c.e.m.codes, q.PhoneCodeHash)
	return boolResult(true), nil
}

// code returns a usable phone_code_hash record.
func (m *model) code(phone, hash string) (*sentCode, error) {
	if hash == "" {
		return nil, errf(400, "PHONE_CODE_HASH_EMPTY")
	}
	sc := m.codes[hash]
	switch {
	case sc == nil:
		return nil, errf(400, "PHONE_CODE_EXPIRED")
	case sc.phone != phone:
		return nil, errf(400, "PHONE_NUMBER_INVALID")
	case sc.used || m.now().After(sc.expires):
		return nil, errf(400, "PHONE_CODE_EXPIRED")
	}
	return sc, nil
}

func authSignIn(c *call, q *api.AuthSignInRequest) (tl.Object, error) {
	m := c.e.m
	phone, err := c.phone(q.PhoneNumber)
	if err != nil {
		return nil, err
	}
	sc, err := m.code(phone, q.PhoneCodeHash)
	if err != nil {
		return nil, err
	}
	code, ok := q.PhoneCode.Get()
	if !ok || code == "" {
		return nil, errf(400, "PHONE_CODE_EMPTY")
	}
	if code != m.loginCode(phone) {
		return nil, errf(400, "PHONE_CODE_INVALID")
	}
	id, ok := m.phones[phone]
	if !ok {
		// The code stays valid for auth.signUp.
		return &api.AuthAuthorizationSignUpRequired{}, nil
	}
	sc.used = true
	u := m.users[id]
	if u.pw != nil {
		c.e.unbind(c.ks)
		c.ks.pendingUser = u.ID
		return nil, errf(401, "SESSION_PASSWORD_NEEDED")
	}
	c.e.bind(c, u, false)
	return m.authorization(u), nil
}

func authSignUp(c *call, q *api.AuthSignUpRequest) (tl.Object, error) {
	m := c.e.m
	phone, err := c.phone(q.PhoneNumber)
	if err != nil {
		return nil, err
	}
	sc, err := m.code(phone, q.PhoneCodeHash)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(q.FirstName) == "" || len(q.FirstName) > 64 {
		return nil, errf(400, "FIRSTNAME_INVALID")
	}
	if len(q.LastName) > 64 {
		return nil, errf(400, "LASTNAME_INVALID")
	}
	u, err := m.newUser(phone, q.FirstName, q.LastName, "", false, c.dc.id)
	if err != nil {
		return nil, err
	}
	sc.used = true
	c.e.bind(c, u, false)
	return m.authorization(u), nil
}

// srpParams are the SRP parameters of a stored password.
func srpParams(pw *password) crypto.SRPParams {
	return crypto.SRPParams{Salt1: pw.Salt1, Salt2: pw.Salt2, G: 3, P: crypto.TelegramDHPrime().Bytes()}
}

func algoOf(pw *password) *api.PasswordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow {
	return &api.PasswordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow{
		Salt1: pw.Salt1, Salt2: pw.Salt2, G: 3, P: crypto.TelegramDHPrime().Bytes()}
}

func (c *call) passwordUser() *user {
	if c.u != nil {
		return c.u
	}
	return c.e.m.users[c.ks.pendingUser]
}

func accountGetPassword(c *call, q *api.AccountGetPasswordRequest) (tl.Object, error) {
	u := c.passwordUser()
	if u == nil {
		return nil, errUnregistered
	}
	newAlgo := &api.PasswordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow{
		Salt1: randomToken(8), Salt2: randomToken(16), G: 3, P: crypto.TelegramDHPrime().Bytes()}
	out := &api.AccountPassword{NewAlgo: newAlgo, NewSecureAlgo: &api.SecurePasswordKdfAlgoSHA512{Salt: randomToken(8)},
		SecureRandom: randomToken(32)}
	if u.pw == nil {
		return out, nil
	}
	srv, err := crypto.NewSRPServer(srpParams(u.pw), u.pw.Verifier, nil)
	if err != nil {
		return nil, err
	}
	id := randInt64()
	if c.ks.srp == nil || len(c.ks.srp) >= srpAttemptsMax {
		c.ks.srp = map[int64]*srpAttempt{}
	}
	c.ks.srp[id] = &srpAttempt{srv: srv, pw: u.pw}
	out.HasPassword = true
	out.CurrentAlgo = algoOf(u.pw)
	out.SRPB = srv.B()
	out.SRPID = tl.Some(id)
	if u.pw.Hint != "" {
		out.Hint = tl.Some(u.pw.Hint)
	}
	return out, nil
}

func authCheckPassword(c *call, q *api.AuthCheckPasswordRequest) (tl.Object, error) {
	u := c.passwordUser()
	if u == nil {
		return nil, errUnregistered
	}
	in, ok := q.Password.(*api.InputCheckPasswordSRP)
	if !ok {
		return nil, errf(400, "PASSWORD_HASH_INVALID")
	}
	att := c.ks.srp[in.SRPID]
	if att == nil {
		return nil, errf(400, "SRP_ID_INVALID")
	}
	delete(c.ks.srp, in.SRPID)
	if att.pw != u.pw {
		return nil, errf(400, "SRP_PASSWORD_CHANGED")
	}
	if err := att.srv.Verify(in.A, in.M1); err != nil {
		return nil, errf(400, "PASSWORD_HASH_INVALID")
	}
	if c.u == nil {
		c.e.bind(c, u, false)
	}
	return c.e.m.authorization(u), nil
}

// botToken is the token of a bot: "id:secret".
func (u *user) botToken() string { return strconv.FormatInt(u.ID, 10) + ":" + u.botSecret }

func authImportBotAuthorization(c *call, q *api.AuthImportBotAuthorizationRequest) (tl.Object, error) {
	m := c.e.m
	if q.APIID == 0 || q.APIHash == "" {
		return nil, errf(400, "API_ID_INVALID")
	}
	idStr, secret, ok := strings.Cut(q.BotAuthToken, ":")
	id, err := strconv.ParseInt(idStr, 10, 64)
	u := m.users[id]
	if !ok || err != nil || u == nil || !u.Bot || u.botSecret != secret {
		return nil, errf(400, "ACCESS_TOKEN_INVALID")
	}
	if u.DC != c.dc.id {
		return nil, errf(303, "USER_MIGRATE_"+strconv.Itoa(u.DC))
	}
	c.e.bind(c, u, false)
	return m.authorization(u), nil
}

func authLogOut(c *call, q *api.AuthLogOutRequest) (tl.Object, error) {
	c.e.unbind(c.ks)
	return &api.AuthLoggedOut{}, nil
}

func authExportAuthorization(c *call, q *api.AuthExportAuthorizationRequest) (tl.Object, error) {
	dc := int(q.DCID)
	if c.e.dc(dc) == nil || dc == c.dc.id {
		return nil, errf(400, "DC_ID_INVALID")
	}
	b := randomToken(128)
	c.e.m.exported[string(b)] = &exportedAuth{user: c.u.ID, dc: dc, expires: c.e.m.now().Add(exportTTL)}
	return &api.AuthExportedAuthorization{ID: c.u.ID, Bytes: b}, nil
}

func authImportAuthorization(c *call, q *api.AuthImportAuthorizationRequest) (tl.Object, error) {
	m := c.e.m
	ex := m.exported[string(q.Bytes)]
	if ex == nil || ex.user != q.ID || ex.dc != c.dc.id || m.now().After(ex.expires) {
		return nil, errf(400, "AUTH_BYTES_INVALID")
	}
	delete(m.exported, string(q.Bytes))
	u := m.users[ex.user]
	if u == nil {
		return nil, errf(400, "AUTH_BYTES_INVALID")
	}
	// A key of the user's own DC gets updates; elsewhere it only serves
	// files and the like.
	c.e.bind(c, u, u.DC != c.dc.id)
	return m.authorization(u), nil
}

func authExportLoginToken(c *call, q *api.AuthExportLoginTokenRequest) (tl.Object, error) {
	m := c.e.m
	if q.APIID == 0 || q.APIHash == "" {
		return nil, errf(400, "API_ID_INVALID")
	}
	now := m.now()
	// A token of this key accepted since the last call finishes the login.
	for tok := range c.ks.loginTokens {
		lt := m.tokens[tok]
		if lt == nil {
			delete(c.ks.loginTokens, tok)
			continue
		}
		if lt.accepted == 0 {
			if now.After(lt.expires) {
				delete(m.tokens, tok)
				delete(c.ks.loginTokens, tok)
			}
			continue
		}
		u := m.users[lt.accepted]
		if u == nil {
			continue
		}
		if u.DC != c.dc.id {
			return &api.AuthLoginTokenMigrateTo{DCID: int32(u.DC), Token: lt.token}, nil
		}
		lt.used = true
		delete(m.tokens, tok)
		c.ks.loginTokens = nil
		c.e.bind(c, u, false)
		return &api.AuthLoginTokenSuccess{Authorization: m.authorization(u)}, nil
	}
	tok := randomToken(32)
	lt := &loginToken{token: tok, ref: c.ks.ref, expires: now.Add(loginTokenTTL)}
	m.tokens[string(tok)] = lt
	if c.ks.loginTokens == nil {
		c.ks.loginTokens = map[string]struct{}{}
	}
	c.ks.loginTokens[string(tok)] = struct{}{}
	return &api.AuthLoginToken{Expires: int32(lt.expires.Unix()), Token: tok}, nil
}

func authAcceptLoginToken(c *call, q *api.AuthAcceptLoginTokenRequest) (tl.Object, error) {
	m := c.e.m
	lt := m.tokens[string(q.Token)]
	switch {
	case lt == nil:
		return nil, errf(400, "AUTH_TOKEN_INVALID")
	case lt.accepted != 0:
		return nil, errf(400, "AUTH_TOKEN_ALREADY_ACCEPTED")
	case m.now().After(lt.expires):
		return nil, errf(400, "AUTH_TOKEN_EXPIRED")
	}
	lt.accepted = c.u.ID
	lt.expires = m.now().Add(exportTTL) // time to finish the login
	// The waiting session learns it from updateLoginToken.
	if ks := c.e.keys[lt.ref]; ks != nil {
		ks.out.force(mustEncode(&api.UpdateShort{Update: &api.UpdateLoginToken{}, Date: m.date()}))
	}
	now := m.date()
	waiting := c.e.keys[lt.ref]
	auth := &api.Authorization{Hash: lt.ref.id, DateCreated: now, DateActive: now, IP: "127.0.0.1",
		Country: "Emulator", Region: "Loopback", Platform: "emulator"}
	if waiting != nil {
		auth.APIID = waiting.device.apiID
		auth.DeviceModel = waiting.device.model
		auth.SystemVersion = waiting.device.system
		auth.AppVersion = waiting.device.app
	}
	return auth, nil
}

func authImportLoginToken(c *call, q *api.AuthImportLoginTokenRequest) (tl.Object, error) {
	m := c.e.m
	lt := m.tokens[string(q.Token)]
	switch {
	case lt == nil || lt.used:
		return nil, errf(400, "AUTH_TOKEN_INVALID")
	case m.now().After(lt.expires):
		return nil, errf(400, "AUTH_TOKEN_EXPIRED")
	case lt.accepted == 0:
		return &api.AuthLoginToken{Expires: int32(lt.expires.Unix()), Token: lt.token}, nil
	}
	u := m.users[lt.accepted]
	if u == nil {
		return nil, errf(400, "AUTH_TOKEN_INVALID")
	}
	if u.DC != c.dc.id {
		return &api.AuthLoginTokenMigrateTo{DCID: int32(u.DC), Token: lt.token}, nil
	}
	lt.used = true
	delete(m.tokens, string(q.Token))
	c.e.bind(c, u, false)
	return &api.AuthLoginTokenSuccess{Authorization: m.authorization(u)}, nil
}

func mustEncode(o tl.Object) []byte {
	b, err := tl.Encode(o)
	if err != nil {
		panic(err)
	}
	return b
}
