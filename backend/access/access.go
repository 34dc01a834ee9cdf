// Package access holds the people who work at a desk (planners, job coaches, admins):
// their passwords (argon2id), their sessions, and the part of the area tree each may see.
package access

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
	"gorm.io/gorm"

	"wijkwerk/backend/database"
	"wijkwerk/backend/problem"
)

// Role is what a desk user may do.
type Role string

// The desk roles.
const (
	Planner  Role = "planner"
	JobCoach Role = "jobcoach"
	Admin    Role = "admin"
)

// ParseRole accepts the three desk roles.
func ParseRole(s string) (Role, error) {
	switch r := Role(s); r {
	case Planner, JobCoach, Admin:
		return r, nil
	}
	return "", fmt.Errorf("access: unknown role %q (want planner, jobcoach or admin)", s)
}

// User is a signed-in desk user.
type User struct {
	ID    int64  `json:"id"`
	Email string `json:"email"`
	Role  Role   `json:"role"`
	// AreaCodes are the roots of the subtrees the user may see; empty for an admin, who
	// sees everything and is given no areas (CreateUser refuses them).
	AreaCodes []string `json:"areas"`
	areaIDs   []int64
}

// All reports whether the user sees every area.
func (u User) All() bool { return u.Role == Admin }

// Is reports whether the user has one of roles.
func (u User) Is(roles ...Role) bool {
	for _, r := range roles {
		if u.Role == r {
			return true
		}
	}
	return false
}

// SessionTTL is how long a desk session lasts.
const SessionTTL = 12 * time.Hour

// Store reads and writes desk users and sessions.
type Store struct {
	db *gorm.DB
}

// NewStore returns a Store on db.
func NewStore(db *gorm.DB) *Store { return &Store{db: db} }

// CreateUser adds a desk user with a password, scoped to the areas with the given codes.
// A planner or job coach needs areas; an admin takes none: the role sees and changes
// every municipality, so areas would only look like a scope that is not there.
func (s *Store) CreateUser(ctx context.Context, email, password string, role Role, areaCodes []string) (User, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if !strings.Contains(email, "@") {
		return User{}, fmt.Errorf("access: %q is not an e-mail address", email)
	}
	if err := strongEnough(email, password); err != nil {
		return User{}, err
	}
	if role != Admin && len(areaCodes) == 0 {
		return User{}, errors.New("access: a planner or job coach needs --areas")
	}
	if role == Admin && len(areaCodes) > 0 {
		return User{}, errors.New("access: an admin sees and changes every municipality, so --areas does not apply: " +
			"leave --areas out, or give --role planner (or jobcoach) with --areas for the municipality")
	}
	u := User{Email: email, Role: role, AreaCodes: areaCodes}
	err := database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		err := tx.Raw(`INSERT INTO desk_users (email, password_hash, role) VALUES (?, ?, ?)
ON CONFLICT (email) DO UPDATE SET password_hash = EXCLUDED.password_hash, role = EXCLUDED.role, active = true
RETURNING id`, email, hashPassword(password), string(role)).Scan(&u.ID).Error
		if err != nil {
			return err
		}
		if err := tx.Exec(`DELETE FROM desk_user_areas WHERE user_id = ?`, u.ID).Error; err != nil {
			return err
		}
		// A replaced password (the answer to a leaked one) ends the user's open sessions,
		// as does a new role or new areas: they sign in again.
		if err := tx.Exec(`DELETE FROM desk_sessions WHERE user_id = ?`, u.ID).Error; err != nil {
			return err
		}
		for _, code := range areaCodes {
			res := tx.Exec(`INSERT INTO desk_user_areas (user_id, area_id) SELECT ?, id FROM areas WHERE code = ?`, u.ID, code)
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 0 {
				return fmt.Errorf("area %s does not exist", code)
			}
		}
		return nil
	})
	if err != nil {
		return User{}, fmt.Errorf("access: create user: %w", err)
	}
	return u, nil
}

// strongEnough refuses passwords that a guess finds first: shorter than 12 characters,
// one character over and over or hardly more, a well-known one, or the e-mail address's
// own name. (A desk user can read where workers are and what jobs there are.)
func strongEnough(email, password string) error {
	if utf8.RuneCountInString(password) < 12 {
		return errors.New("access: the password must have at least 12 characters")
	}
	distinct := map[rune]bool{}
	for _, r := range strings.ToLower(password) {
		distinct[r] = true
	}
	lower := strings.ToLower(password)
	local, _, _ := strings.Cut(email, "@")
	switch {
	case len(distinct) < 5:
		return errors.New("access: the password has too few different characters")
	case slices.Contains(commonPasswords, letters(lower)):
		return errors.New("access: the password is a well-known one with digits added; choose another")
	case len(local) >= 4 && strings.Contains(lower, strings.ToLower(local)):
		return errors.New("access: the password holds the e-mail address's name")
	}
	return nil
}

// commonPasswords are words that lists of leaked passwords are full of, in Dutch and
// English, with digits and signs around them ("Welkom2026!!", "password1234"); a
// password of digits alone has no letters at all ("").
var commonPasswords = []string{"", "password", "wachtwoord", "welkom", "welcome", "qwerty", "azerty", "qwertyuiop",
	"letmein", "geheim", "admin", "wijkwerk", "doetinchem", "gemeente"}

// letters is s without what is not a letter.
func letters(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) {
			return r
		}
		return -1
	}, s)
}

func errLogin() error {
	return problem.Unauthorized.New(problem.T("E-mailadres of wachtwoord klopt niet.", "E-mail address or password is wrong."))
}

// Deactivate takes a desk user's access away at once (someone who left, or a lost
// laptop): their sessions end and they cannot sign in, until user create sets a new
// password. What they wrote (notes, decisions) stays theirs in the audit trail.
func (s *Store) Deactivate(ctx context.Context, email string) error {
	email = strings.ToLower(strings.TrimSpace(email))
	return database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		var id int64
		if err := tx.Raw(`UPDATE desk_users SET active = false WHERE email = ? RETURNING id`, email).Scan(&id).Error; err != nil {
			return fmt.Errorf("access: deactivate: %w", err)
		}
		if id == 0 {
			return fmt.Errorf("access: no desk user %q", email)
		}
		return tx.Exec(`DELETE FROM desk_sessions WHERE user_id = ?`, id).Error
	})
}

// PruneSessions deletes the sessions that have expired, and returns how many.
func (s *Store) PruneSessions(ctx context.Context, now time.Time) (int64, error) {
	res := s.db.WithContext(ctx).Exec(`DELETE FROM desk_sessions WHERE expires_at < ?`, now)
	if res.Error != nil {
		return 0, fmt.Errorf("access: prune sessions: %w", res.Error)
	}
	return res.RowsAffected, nil
}

// Login checks a password and opens a session. The token is returned once and stored
// hashed.
func (s *Store) Login(ctx context.Context, email, password string) (token string, expires time.Time, err error) {
	var row struct {
		ID           int64
		PasswordHash string
	}
	err = s.db.WithContext(ctx).Raw(`SELECT id, password_hash FROM desk_users WHERE email = ? AND active`,
		strings.ToLower(strings.TrimSpace(email))).Scan(&row).Error
	if err != nil {
		return "", time.Time{}, fmt.Errorf("access: login: %w", err)
	}
	if row.ID == 0 {
		// Spend the same time as a real check, so timing does not tell which e-mail exists.
		checkPassword(dummyHash, password)
		return "", time.Time{}, errLogin()
	}
	if !checkPassword(row.PasswordHash, password) {
		return "", time.Time{}, errLogin()
	}
	var b [32]byte
	rand.Read(b[:])
	token = base64.RawURLEncoding.EncodeToString(b[:])
	expires = time.Now().Add(SessionTTL).UTC().Truncate(time.Second)
	err = s.db.WithContext(ctx).Exec(`INSERT INTO desk_sessions (user_id, token_hash, expires_at) VALUES (?, ?, ?)`,
		row.ID, tokenHash(token), expires).Error
	if err != nil {
		return "", time.Time{}, fmt.Errorf("access: login: %w", err)
	}
	return token, expires, nil
}

// Authenticate returns the user of a session token.
func (s *Store) Authenticate(ctx context.Context, token string) (User, error) {
	unauthorized := problem.Unauthorized.New(problem.T("Log opnieuw in.", "Sign in again."))
	if token == "" || len(token) > 100 {
		return User{}, unauthorized
	}
	var rows []struct {
		ID       int64
		Email    string
		Role     string
		AreaID   *int64
		AreaCode *string
	}
	err := s.db.WithContext(ctx).Raw(`
SELECT u.id, u.email, u.role, a.id AS area_id, a.code AS area_code
FROM desk_sessions s JOIN desk_users u ON u.id = s.user_id
LEFT JOIN desk_user_areas ua ON ua.user_id = u.id LEFT JOIN areas a ON a.id = ua.area_id
WHERE s.token_hash = ? AND s.expires_at > now() AND u.active`, tokenHash(token)).Scan(&rows).Error
	if err != nil {
		return User{}, fmt.Errorf("access: authenticate: %w", err)
	}
	if len(rows) == 0 {
		return User{}, unauthorized
	}
	u := User{ID: rows[0].ID, Email: rows[0].Email, Role: Role(rows[0].Role), AreaCodes: []string{}}
	for _, r := range rows {
		// An admin's areas (from before CreateUser refused them) scope nothing: not shown.
		if r.AreaID != nil && u.Role != Admin {
			u.areaIDs = append(u.areaIDs, *r.AreaID)
			u.AreaCodes = append(u.AreaCodes, *r.AreaCode)
		}
	}
	return u, nil
}

// Logout ends a session.
func (s *Store) Logout(ctx context.Context, token string) error {
	return s.db.WithContext(ctx).Exec(`DELETE FROM desk_sessions WHERE token_hash = ?`, tokenHash(token)).Error
}

// ScopeSQL is a condition on an area id column that keeps the rows inside the user's
// part of the area tree. It has one placeholder, for ScopeArg.
const ScopeSQL = `(%s IN (
  WITH RECURSIVE sub AS (
    SELECT id FROM areas WHERE id = ANY(?::bigint[])
    UNION ALL SELECT a.id FROM areas a JOIN sub ON a.parent_id = sub.id)
  SELECT id FROM sub))`

// Scope returns a condition on column (an area id) for u and its argument. An admin's
// condition is always true.
func Scope(u User, column string) (string, []any) {
	if u.All() {
		return "TRUE", nil
	}
	return fmt.Sprintf(ScopeSQL, column), []any{database.Int64Array(u.areaIDs)}
}

// Password hashing: argon2id with the OWASP minimum (19 MiB, 2 passes, 1 lane).
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

var dummyHash = hashPassword("wijkwerk-dummy-password")

func hashPassword(pw string) string {
	salt := make([]byte, 16)
	rand.Read(salt)
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s", argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

func checkPassword(encoded, pw string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

func tokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return bytes.Clone(h[:])
}
