package access

import "testing"

func TestPasswordHash(t *testing.T) {
	h := hashPassword("correct horse battery")
	tests := []struct {
		give string
		want bool
	}{
		{"correct horse battery", true},
		{"correct horse batterY", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := checkPassword(h, tt.give); got != tt.want {
			t.Errorf("checkPassword(%q) = %v, want %v", tt.give, got, tt.want)
		}
	}
	if checkPassword("garbage", "x") || checkPassword("$argon2id$v=19$m=1,t=1,p=1$!!$!!", "x") {
		t.Error("a malformed hash matched")
	}
	if hashPassword("a") == hashPassword("a") {
		t.Error("hashes are not salted")
	}
}

func TestStrongEnough(t *testing.T) {
	tests := []struct {
		email, password string
		ok              bool
	}{
		{"planner@doetinchem.nl", "lang-genoeg-wachtwoord", true},
		{"planner@doetinchem.nl", "Kastanje laan 12 bloeit", true},
		{"planner@doetinchem.nl", "kort", false},
		{"planner@doetinchem.nl", "aaaaaaaaaaaa", false},
		{"planner@doetinchem.nl", "abababababab", false},
		{"planner@doetinchem.nl", "password1234", false},
		{"planner@doetinchem.nl", "Welkom2026!!", false},
		{"planner@doetinchem.nl", "123456789012", false},
		{"fenna.devries@example.nl", "fenna.devries-2026", false},
	}
	for _, tt := range tests {
		if err := strongEnough(tt.email, tt.password); (err == nil) != tt.ok {
			t.Errorf("strongEnough(%q, %q) = %v, want ok %v", tt.email, tt.password, err, tt.ok)
		}
	}
}
