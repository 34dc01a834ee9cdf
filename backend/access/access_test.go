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
