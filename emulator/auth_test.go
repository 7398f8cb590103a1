package emulator

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/polygram/polygram/mtproto/conn"
	"github.com/polygram/polygram/mtproto/crypto"
	"github.com/polygram/polygram/mtproto/transport"
	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/api"
)

func TestLoginWithCodeOverEveryFraming(t *testing.T) {
	e := startEmu(t, Config{})
	u, err := e.CreateUser("9996621234", "Ann", "Lee", "ann_lee")
	if err != nil {
		t.Fatal(err)
	}
	modes := []transport.Options{
		{Kind: transport.Abridged}, {Kind: transport.Intermediate}, {Kind: transport.PaddedIntermediate},
		{Kind: transport.Full}, {Kind: transport.Abridged, Obfuscated: true}, {Kind: transport.Intermediate, Obfuscated: true},
		{Kind: transport.PaddedIntermediate, Obfuscated: true},
	}
	for _, mode := range modes {
		t.Run(fmt.Sprintf("%s/obfuscated=%v", mode.Kind, mode.Obfuscated), func(t *testing.T) {
			cl := dialDC(t, e, 2, withTransport(mode))
			me := cl.login(u)
			if !me.Self || me.ID != u.ID || me.FirstName.Val != "Ann" || me.Phone.Val != "9996621234" {
				t.Fatalf("signed in as %+v", me)
			}
			got := cl.must(&api.UsersGetUsersRequest{ID: []api.InputUserClass{&api.InputUserSelf{}}}).([]api.UserClass)
			if len(got) != 1 || got[0].(*api.User).ID != u.ID {
				t.Fatalf("getUsers(self) = %v", got)
			}
		})
	}
}

func TestLoginCodeIsTheDCDigitFiveTimes(t *testing.T) {
	e := startEmu(t, Config{})
	for phone, want := range map[string]string{"9996611234": "11111", "9996631234": "33333", "+1 555 0100": "22222"} {
		if got := e.LoginCode(phone); got != want {
			t.Errorf("LoginCode(%s) = %s, want %s", phone, got, want)
		}
	}
}

func TestSendCodeForAnotherDCAnswersPhoneMigrate(t *testing.T) {
	e := startEmu(t, Config{})
	cl := dialDC(t, e, 2)
	send := func(phone string) string {
		return cl.rpcErr(&api.AuthSendCodeRequest{PhoneNumber: phone, APIID: testAPIID, APIHash: testAPIHash, Settings: &api.CodeSettings{}})
	}
	if got := send("9996631234"); got != "303 PHONE_MIGRATE_3" {
		t.Fatalf("got %q", got)
	}
	if got := send("not a phone"); got != "400 PHONE_NUMBER_INVALID" {
		t.Fatalf("got %q", got)
	}
	if got := send("9996621234"); got != "" {
		t.Fatalf("got %q", got)
	}
}

func TestSignInErrorsAndSignUp(t *testing.T) {
	e := startEmu(t, Config{})
	cl := dialDC(t, e, 1)
	phone := "9996610001"
	sent := cl.must(&api.AuthSendCodeRequest{PhoneNumber: phone, APIID: testAPIID, APIHash: testAPIHash, Settings: &api.CodeSettings{}}).(*api.AuthSentCode)
	if _, ok := sent.Type.(*api.AuthSentCodeTypeSMS); !ok {
		t.Fatalf("a new phone gets %T", sent.Type)
	}
	signIn := func(hash, code string) (any, string) {
		res, err := cl.call(&api.AuthSignInRequest{PhoneNumber: phone, PhoneCodeHash: hash, PhoneCode: tl.Some(code)})
		var re *conn.RPCError
		if errors.As(err, &re) {
			return nil, re.Message
		}
		if err != nil {
			t.Fatal(err)
		}
		return res, ""
	}
	if _, e := signIn("", "11111"); e != "PHONE_CODE_HASH_EMPTY" {
		t.Fatalf("empty hash: %s", e)
	}
	if _, e := signIn("ffff", "11111"); e != "PHONE_CODE_EXPIRED" {
		t.Fatalf("unknown hash: %s", e)
	}
	if _, e := signIn(sent.PhoneCodeHash, "12345"); e != "PHONE_CODE_INVALID" {
		t.Fatalf("wrong code: %s", e)
	}
	res, _ := signIn(sent.PhoneCodeHash, "11111")
	if _, ok := res.(*api.AuthAuthorizationSignUpRequired); !ok {
		t.Fatalf("unknown phone: %T", res)
	}
	if got := cl.rpcErr(&api.UpdatesGetStateRequest{}); got != "401 AUTH_KEY_UNREGISTERED" {
		t.Fatalf("before sign-up: %q", got)
	}
	a := cl.must(&api.AuthSignUpRequest{PhoneNumber: phone, PhoneCodeHash: sent.PhoneCodeHash, FirstName: "New"}).(*api.AuthAuthorization)
	me := a.User.(*api.User)
	if !me.Self || me.FirstName.Val != "New" {
		t.Fatalf("signed up as %+v", me)
	}
	if _, e := signIn(sent.PhoneCodeHash, "11111"); e != "PHONE_CODE_EXPIRED" {
		t.Fatalf("reused hash: %s", e)
	}
	st := cl.must(&api.UpdatesGetStateRequest{}).(*api.UpdatesState)
	if st.Pts < 1 {
		t.Fatalf("state %+v", st)
	}
}

func TestTwoFactorPasswordWithSRP(t *testing.T) {
	e := startEmu(t, Config{})
	u, err := e.CreateUser("9996620002", "Pat", "", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.SetPassword(u.ID, "correct horse", "horse"); err != nil {
		t.Fatal(err)
	}
	cl := dialDC(t, e, 2)
	sent := cl.must(&api.AuthSendCodeRequest{PhoneNumber: u.Phone, APIID: testAPIID, APIHash: testAPIHash, Settings: &api.CodeSettings{}}).(*api.AuthSentCode)
	if got := cl.rpcErr(&api.AuthSignInRequest{PhoneNumber: u.Phone, PhoneCodeHash: sent.PhoneCodeHash, PhoneCode: tl.Some("22222")}); got != "401 SESSION_PASSWORD_NEEDED" {
		t.Fatalf("signIn: %q", got)
	}
	check := func(pass string) (any, error) {
		pw := cl.must(&api.AccountGetPasswordRequest{}).(*api.AccountPassword)
		if !pw.HasPassword || pw.Hint.Val != "horse" {
			t.Fatalf("password %+v", pw)
		}
		algo := pw.CurrentAlgo.(*api.PasswordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow)
		proof, err := crypto.ComputeSRPProof([]byte(pass), crypto.SRPParams{Salt1: algo.Salt1, Salt2: algo.Salt2, G: int(algo.G), P: algo.P}, pw.SRPB, nil)
		if err != nil {
			t.Fatal(err)
		}
		return cl.call(&api.AuthCheckPasswordRequest{Password: &api.InputCheckPasswordSRP{SRPID: pw.SRPID.Val, A: proof.A, M1: proof.M1}})
	}
	_, err = check("wrong horse")
	var re *conn.RPCError
	if !errors.As(err, &re) || re.Message != "PASSWORD_HASH_INVALID" {
		t.Fatalf("wrong password: %v", err)
	}
	if got := cl.rpcErr(&api.UpdatesGetStateRequest{}); got != "401 AUTH_KEY_UNREGISTERED" {
		t.Fatalf("before the password: %q", got)
	}
	res, err := check("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if a := res.(*api.AuthAuthorization); a.User.(*api.User).ID != u.ID {
		t.Fatalf("logged in as %+v", a.User)
	}
	cl.must(&api.UpdatesGetStateRequest{})
}

func TestBotTokenLogin(t *testing.T) {
	e := startEmu(t, Config{})
	bot, token, err := e.CreateBot("echo_bot", "Echo")
	if err != nil {
		t.Fatal(err)
	}
	cl := dialDC(t, e, bot.DC)
	bad := &api.AuthImportBotAuthorizationRequest{APIID: testAPIID, APIHash: testAPIHash, BotAuthToken: token + "x"}
	if got := cl.rpcErr(bad); got != "400 ACCESS_TOKEN_INVALID" {
		t.Fatalf("bad token: %q", got)
	}
	me := cl.loginBot(token)
	if !me.Bot || !me.Self || me.ID != bot.ID || me.Username.Val != "echo_bot" {
		t.Fatalf("bot %+v", me)
	}
	other := dialDC(t, e, 1)
	if got := other.rpcErr(&api.AuthImportBotAuthorizationRequest{APIID: testAPIID, APIHash: testAPIHash, BotAuthToken: token}); got != fmt.Sprintf("303 USER_MIGRATE_%d", bot.DC) {
		t.Fatalf("bot on another DC: %q", got)
	}
	if got := cl.rpcErr(&api.MessagesGetDialogsRequest{OffsetPeer: &api.InputPeerEmpty{}, Limit: 10}); got != "400 BOT_METHOD_INVALID" {
		t.Fatalf("bot getDialogs: %q", got)
	}
}

func TestLogOutUnregistersTheKey(t *testing.T) {
	e := startEmu(t, Config{})
	_, cl := newUserClient(t, e, "9996620003", "Lou")
	cl.must(&api.AuthLogOutRequest{})
	if got := cl.rpcErr(&api.UpdatesGetStateRequest{}); got != "401 AUTH_KEY_UNREGISTERED" {
		t.Fatalf("after logOut: %q", got)
	}
}

func TestExportImportAuthorizationAcrossDCs(t *testing.T) {
	e := startEmu(t, Config{})
	u, cl := newUserClient(t, e, "9996620004", "Exp")
	if got := cl.rpcErr(&api.AuthExportAuthorizationRequest{DCID: 9}); got != "400 DC_ID_INVALID" {
		t.Fatalf("bad dc: %q", got)
	}
	ex := cl.must(&api.AuthExportAuthorizationRequest{DCID: 3}).(*api.AuthExportedAuthorization)
	other := dialDC(t, e, 3)
	if got := other.rpcErr(&api.AuthImportAuthorizationRequest{ID: ex.ID, Bytes: append([]byte{1}, ex.Bytes...)}); got != "400 AUTH_BYTES_INVALID" {
		t.Fatalf("bad bytes: %q", got)
	}
	dc1 := dialDC(t, e, 1)
	if got := dc1.rpcErr(&api.AuthImportAuthorizationRequest{ID: ex.ID, Bytes: ex.Bytes}); got != "400 AUTH_BYTES_INVALID" {
		t.Fatalf("import on the wrong DC: %q", got)
	}
	a := other.must(&api.AuthImportAuthorizationRequest{ID: ex.ID, Bytes: ex.Bytes}).(*api.AuthAuthorization)
	if a.User.(*api.User).ID != u.ID {
		t.Fatalf("imported as %+v", a.User)
	}
	users := other.must(&api.UsersGetUsersRequest{ID: []api.InputUserClass{&api.InputUserSelf{}}}).([]api.UserClass)
	if users[0].(*api.User).ID != u.ID {
		t.Fatal("imported key is not authorized")
	}
}

func TestKeyOfAnotherDCIsUnknown(t *testing.T) {
	e := startEmu(t, Config{})
	cl := dialDC(t, e, 1)
	cl.must(&api.HelpGetConfigRequest{})
	key := cl.c.AuthKey()
	cfg := conn.Config{Addr: e.Addr(2), DC: 2, Keys: []crypto.PublicKey{e.PublicKey()}, AuthKey: key}
	c2, err := conn.Dial(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	body, _ := tl.Encode(&api.HelpGetNearestDCRequest{})
	if _, err := c2.Invoke(context.Background(), body); !errors.Is(err, conn.ErrAuthKeyNotFound) {
		t.Fatalf("got %v, want -404", err)
	}
}

func TestQRLoginAcceptedFromAnotherSession(t *testing.T) {
	e := startEmu(t, Config{})
	u, logged := newUserClient(t, e, "9996620005", "Qr")
	waiting := dialDC(t, e, 2)
	export := &api.AuthExportLoginTokenRequest{APIID: testAPIID, APIHash: testAPIHash}
	tok := waiting.must(export).(*api.AuthLoginToken)
	if len(tok.Token) == 0 || tok.Expires == 0 {
		t.Fatalf("token %+v", tok)
	}
	if got := logged.rpcErr(&api.AuthAcceptLoginTokenRequest{Token: []byte("nope")}); got != "400 AUTH_TOKEN_INVALID" {
		t.Fatalf("bad token: %q", got)
	}
	auth := logged.must(&api.AuthAcceptLoginTokenRequest{Token: tok.Token}).(*api.Authorization)
	if auth.APIID != testAPIID {
		t.Fatalf("authorization %+v", auth)
	}
	short := nextOf[*api.UpdateShort](waiting)
	if _, ok := short.Update.(*api.UpdateLoginToken); !ok {
		t.Fatalf("pushed %T", short.Update)
	}
	res := waiting.must(export)
	ok, isOK := res.(*api.AuthLoginTokenSuccess)
	if !isOK || ok.Authorization.(*api.AuthAuthorization).User.(*api.User).ID != u.ID {
		t.Fatalf("after acceptance: %#v", res)
	}
	if got := logged.rpcErr(&api.AuthAcceptLoginTokenRequest{Token: tok.Token}); got != "400 AUTH_TOKEN_INVALID" {
		t.Fatalf("accepted twice: %q", got)
	}
	waiting.must(&api.UpdatesGetStateRequest{})
}

func TestQRLoginMigratesToTheUsersDC(t *testing.T) {
	e := startEmu(t, Config{})
	u, logged := newUserClient(t, e, "9996630006", "Far")
	waiting := dialDC(t, e, 1)
	export := &api.AuthExportLoginTokenRequest{APIID: testAPIID, APIHash: testAPIHash}
	tok := waiting.must(export).(*api.AuthLoginToken)
	logged.must(&api.AuthAcceptLoginTokenRequest{Token: tok.Token})
	nextOf[*api.UpdateShort](waiting)
	mig := waiting.must(export).(*api.AuthLoginTokenMigrateTo)
	if mig.DCID != 3 {
		t.Fatalf("migrate to %d", mig.DCID)
	}
	dc3 := dialDC(t, e, 3)
	res := dc3.must(&api.AuthImportLoginTokenRequest{Token: mig.Token}).(*api.AuthLoginTokenSuccess)
	if res.Authorization.(*api.AuthAuthorization).User.(*api.User).ID != u.ID {
		t.Fatal("wrong user")
	}
	dc3.must(&api.UpdatesGetStateRequest{})
}
