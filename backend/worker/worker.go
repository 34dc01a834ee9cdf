// Package worker holds crew members, how their phones pair without a password (a
// short-lived code from a specialist or planner, exchanged for a revocable device
// credential), and the phones' FCM tokens.
package worker

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"wijkwerk/backend/database"
	"wijkwerk/backend/plaintext"
	"wijkwerk/backend/problem"
)

// Role is what a worker does in the crew.
type Role string

// The roles.
const (
	Specialist  Role = "specialist"
	Trainee     Role = "trainee"
	Seconded    Role = "seconded"
	Enforcement Role = "enforcement"
)

// ParseRole accepts the four roles.
func ParseRole(s string) (Role, error) {
	switch r := Role(s); r {
	case Specialist, Trainee, Seconded, Enforcement:
		return r, nil
	}
	return "", fmt.Errorf("worker: unknown role %q (want specialist, trainee, seconded or enforcement)", s)
}

// Worker is a crew member. The name is shown to the crew and planners only.
type Worker struct {
	ID      int64   `json:"id"`
	Name    string  `json:"name"`
	Role    Role    `json:"role"`
	TeamIDs []int64 `json:"team_ids"`
}

// Device is a paired phone, as seen by the crew API after authentication.
type Device struct {
	ID     int64
	Worker Worker
}

// PairingCode is what a specialist shows the phone: digits to type, or a QR payload.
type PairingCode struct {
	Code      string    `json:"code"`
	QR        string    `json:"qr"`
	ExpiresAt time.Time `json:"expires_at"`
}

// PairingTTL is how long a pairing code works.
const PairingTTL = 15 * time.Minute

// ErrNotFound means no such worker.
var ErrNotFound = errors.New("worker: not found")

// Store reads and writes workers and devices.
type Store struct {
	db   *gorm.DB
	now  func() time.Time
	auth *authCache // answers only while ListenForChanges runs
}

// NewStore returns a Store on db.
func NewStore(db *gorm.DB) *Store { return &Store{db: db, now: time.Now, auth: newAuthCache(time.Now)} }

// Create adds a worker to a team and returns it.
func (s *Store) Create(ctx context.Context, teamID int64, role Role, name string) (Worker, error) {
	name = plaintext.Name(name)
	if name == "" {
		return Worker{}, errors.New("worker: a name is required")
	}
	w := Worker{Name: name, Role: role, TeamIDs: []int64{teamID}}
	err := database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		if err := tx.Raw(`INSERT INTO workers (name, role) VALUES (?, ?) RETURNING id`, name, string(role)).Scan(&w.ID).Error; err != nil {
			return err
		}
		return tx.Exec(`INSERT INTO worker_teams (worker_id, team_id) VALUES (?, ?)`, w.ID, teamID).Error
	})
	if database.IsCode(err, database.ForeignKeyViolation) {
		return Worker{}, fmt.Errorf("worker: team %d does not exist", teamID)
	}
	if err != nil {
		return Worker{}, fmt.Errorf("worker: create: %w", err)
	}
	return w, nil
}

// Get returns the worker with id and their teams, if they are with the crew (AccessSQL).
func (s *Store) Get(ctx context.Context, id int64) (Worker, error) {
	var row struct {
		ID      int64
		Name    string
		Role    string
		TeamIDs string
	}
	err := s.db.WithContext(ctx).Raw(`
SELECT w.id, w.name, w.role, COALESCE(array_to_string(array_agg(wt.team_id ORDER BY wt.team_id), ','), '') AS team_ids
FROM workers w LEFT JOIN worker_teams wt ON wt.worker_id = w.id
WHERE w.id = ? AND `+AccessSQL("w")+` GROUP BY w.id`, id).Scan(&row).Error
	if err != nil {
		return Worker{}, fmt.Errorf("worker: get: %w", err)
	}
	if row.ID == 0 {
		return Worker{}, ErrNotFound
	}
	return Worker{ID: row.ID, Name: row.Name, Role: Role(row.Role), TeamIDs: parseIDs(row.TeamIDs)}, nil
}

// Colleague is a crew member as their team mates see them: a name to pick, and which of
// the phone's teams they are in (a task's hours are of its own team's members).
type Colleague struct {
	ID      int64   `json:"id"`
	Name    string  `json:"name"`
	TeamIDs []int64 `json:"team_ids"`
}

// Specialists returns the specialists of teams who are with the crew (AccessSQL), by
// name: whom a trainee can say they worked with, so that the hours of work that needs a specialist are complete.
// Other roles are not listed: whether a colleague is in re-integration is theirs to tell.
func (s *Store) Specialists(ctx context.Context, teams []int64) ([]Colleague, error) {
	var rows []struct {
		ID      int64
		Name    string
		TeamIDs string
	}
	err := s.db.WithContext(ctx).Raw(`
SELECT w.id, w.name, string_agg(wt.team_id::text, ',' ORDER BY wt.team_id) AS team_ids
FROM workers w JOIN worker_teams wt ON wt.worker_id = w.id
WHERE wt.team_id = ANY(?::bigint[]) AND `+AccessSQL("w")+` AND w.role = 'specialist'
GROUP BY w.id ORDER BY w.name, w.id`, database.Int64Array(teams)).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("worker: specialists: %w", err)
	}
	out := make([]Colleague, len(rows))
	for i, r := range rows {
		out[i] = Colleague{ID: r.ID, Name: r.Name, TeamIDs: parseIDs(r.TeamIDs)}
	}
	return out, nil
}

// parseIDs reads a comma-separated list of ids.
func parseIDs(s string) []int64 {
	ids := []int64{}
	for _, p := range strings.Split(s, ",") {
		if id, err := strconv.ParseInt(p, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	return ids
}

// IssuePairingCode creates a fresh eight-digit code for worker id. Only its hash is kept.
// It ends the worker's earlier codes that were not used: the newest code shown is the
// one that works, and fewer codes are open to guessing.
func (s *Store) IssuePairingCode(ctx context.Context, id int64, by string) (PairingCode, error) {
	if _, err := s.Get(ctx, id); err != nil {
		return PairingCode{}, err
	}
	n, err := rand.Int(rand.Reader, big.NewInt(100_000_000))
	if err != nil {
		return PairingCode{}, err
	}
	code := fmt.Sprintf("%08d", n.Int64())
	exp := s.now().Add(PairingTTL).UTC().Truncate(time.Second)
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		// The worker's row is locked, so two planners issuing codes at once take turns
		// and only the newest code stays valid.
		if err := tx.Exec(`SELECT 1 FROM workers WHERE id = ? FOR UPDATE`, id).Error; err != nil {
			return err
		}
		err := tx.Exec(`UPDATE pairing_codes SET expires_at = now() WHERE worker_id = ? AND used_at IS NULL AND expires_at > now()`, id).Error
		if err != nil {
			return err
		}
		return tx.Exec(`INSERT INTO pairing_codes (worker_id, code_hash, expires_at, created_by) VALUES (?, ?, ?, ?)`,
			id, hash(code), exp, by).Error
	})
	if err != nil {
		return PairingCode{}, fmt.Errorf("worker: pairing code: %w", err)
	}
	return PairingCode{Code: code, QR: "wijkwerk:pair?code=" + code, ExpiresAt: exp}, nil
}

// InvalidPairingCode is a pairing code that pairs nothing: mistyped, used, replaced,
// expired, or of a worker no longer with the crew. It is 401, as a wrong credential is,
// but says what is wrong: "U bent niet ingelogd" told the crew member nothing. Its type
// is part of the API.
var InvalidPairingCode = problem.Kind{Type: "invalid-pairing-code", Status: 401,
	Title: problem.T("Deze koppelcode klopt niet of is verlopen", "This pairing code is wrong or has expired"),
	About: problem.T("De koppelcode is verkeerd getypt, al gebruikt, vervangen door een nieuwere of verlopen. Vraag de planner om een nieuwe.",
		"The pairing code was mistyped, is used, was replaced by a newer one or has expired. Ask the planner for a new one.")}

// Kinds lists this package's problem kinds, for the problem documentation.
func Kinds() []problem.Kind { return []problem.Kind{InvalidPairingCode} }

func errBadCode() error {
	return InvalidPairingCode.New(problem.T(
		"Deze koppelcode klopt niet of is verlopen. Vraag de planner om een nieuwe.",
		"This pairing code is wrong or has expired. Ask the planner for a new one."))
}

// Pair exchanges a pairing code for a device credential (returned once, stored hashed).
// A code works once. platform is what the phone says it is ("web", "android"; may be
// empty), kept so planners can tell a worker's phones apart; the caller validates it.
func (s *Store) Pair(ctx context.Context, code, platform string) (token string, w Worker, err error) {
	code = strings.TrimPrefix(strings.TrimSpace(code), "wijkwerk:pair?code=")
	code = strings.ReplaceAll(code, " ", "")
	if len(code) != 8 {
		return "", Worker{}, errBadCode()
	}
	var b [32]byte
	rand.Read(b[:])
	token = base64.RawURLEncoding.EncodeToString(b[:])
	var workerID int64
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		// A code of a worker who is no longer with the crew pairs nothing.
		err := tx.Raw(`
UPDATE pairing_codes pc SET used_at = now()
FROM workers w
WHERE pc.code_hash = ? AND pc.used_at IS NULL AND pc.expires_at > now() AND w.id = pc.worker_id AND `+AccessSQL("w")+`
RETURNING pc.worker_id`, hash(code)).Scan(&workerID).Error
		if err != nil {
			return err
		}
		if workerID == 0 {
			return errBadCode()
		}
		return tx.Exec(`INSERT INTO devices (worker_id, token_hash, platform) VALUES (?, ?, ?)`, workerID, hash(token), platform).Error
	})
	if err != nil {
		return "", Worker{}, err
	}
	w, err = s.Get(ctx, workerID)
	if err != nil {
		return "", Worker{}, err
	}
	return token, w, nil
}

// Authenticate returns the device and worker for a bearer credential. A worker who is
// no longer with the crew (AccessSQL) is refused like an unpaired phone.
func (s *Store) Authenticate(ctx context.Context, token string) (Device, error) {
	unauthorized := problem.Unauthorized.New(problem.T(
		"Deze telefoon is niet (meer) gekoppeld, of uw toegang is beëindigd. Vraag uw planner om een nieuwe koppelcode.",
		"This phone is not paired (any more), or your access has ended. Ask your planner for a new pairing code."))
	if token == "" || len(token) > 100 {
		return Device{}, unauthorized
	}
	key := sha256.Sum256([]byte(token))
	if d, ok := s.auth.get(key); ok {
		return d, nil
	}
	gen := s.auth.generation()
	var row struct {
		ID       int64
		WorkerID int64
		Name     string
		Role     string
		TeamIDs  string
		Stale    bool
	}
	err := s.db.WithContext(ctx).Raw(`
SELECT d.id, w.id AS worker_id, w.name, w.role,
       COALESCE(array_to_string(array_agg(wt.team_id ORDER BY wt.team_id), ','), '') AS team_ids,
       d.last_seen_at < now() - interval '1 minute' AS stale
FROM devices d JOIN workers w ON w.id = d.worker_id AND `+AccessSQL("w")+`
LEFT JOIN worker_teams wt ON wt.worker_id = w.id
WHERE d.token_hash = ? AND d.revoked_at IS NULL
GROUP BY d.id, w.id`, key[:]).Scan(&row).Error
	if err != nil {
		return Device{}, fmt.Errorf("worker: authenticate: %w", err)
	}
	if row.ID == 0 {
		return Device{}, unauthorized
	}
	if row.Stale {
		// Seen at most once a minute: enough to show planners which phones are in use.
		if err := s.db.WithContext(ctx).Exec(`UPDATE devices SET last_seen_at = now() WHERE id = ?`, row.ID).Error; err != nil {
			return Device{}, fmt.Errorf("worker: authenticate: %w", err)
		}
	}
	d := Device{ID: row.ID, Worker: Worker{ID: row.WorkerID, Name: row.Name, Role: Role(row.Role), TeamIDs: parseIDs(row.TeamIDs)}}
	s.auth.put(gen, key, d)
	return d, nil
}

// SetPushToken registers or refreshes the FCM token of a device and the language of its
// pushes: "en" for English, anything else Dutch. A token moves to the device that
// registers it last (a phone that was paired again).
func (s *Store) SetPushToken(ctx context.Context, deviceID int64, token, platform, lang string) error {
	if lang != "en" {
		lang = "nl"
	}
	return database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		if err := tx.Exec(`UPDATE devices SET fcm_token = NULL WHERE fcm_token = ? AND id <> ?`, token, deviceID).Error; err != nil {
			return err
		}
		return tx.Exec(`UPDATE devices SET fcm_token = ?, platform = ?, lang = ? WHERE id = ?`, token, platform, lang, deviceID).Error
	})
}

// PairedDevice is a phone paired to a worker, as the desk sees it: never its credential
// or push token.
type PairedDevice struct {
	ID         int64     `json:"id"`
	Platform   string    `json:"platform"`
	PairedAt   time.Time `json:"paired_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	HasPush    bool      `json:"has_push"`
	// Lang is the language of the phone's pushes ("nl" or "en"), as its app last said
	// (PUT /mobile/v1/device): the desk can tell why someone gets them in English.
	Lang      string     `json:"lang"`
	RevokedAt *time.Time `json:"revoked_at"`
}

// Devices lists the phones paired to worker id, newest first.
func (s *Store) Devices(ctx context.Context, id int64) ([]PairedDevice, error) {
	var out []PairedDevice
	err := s.db.WithContext(ctx).Raw(`
SELECT id, platform, created_at AS paired_at, last_seen_at, fcm_token IS NOT NULL AS has_push, lang, revoked_at
FROM devices WHERE worker_id = ? ORDER BY id DESC`, id).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("worker: devices: %w", err)
	}
	if out == nil {
		out = []PairedDevice{}
	}
	return out, nil
}

// RevokeDevice unpairs device of worker id at once (a lost or replaced phone): its
// credential stops working and it gets no more pushes. Revoking twice changes nothing.
func (s *Store) RevokeDevice(ctx context.Context, id, device int64) (PairedDevice, error) {
	var d PairedDevice
	err := s.db.WithContext(ctx).Raw(`
UPDATE devices SET revoked_at = COALESCE(revoked_at, now()), fcm_token = NULL
WHERE id = ? AND worker_id = ?
RETURNING id, platform, created_at AS paired_at, last_seen_at, false AS has_push, lang, revoked_at`, device, id).Scan(&d).Error
	if err != nil {
		return PairedDevice{}, fmt.Errorf("worker: revoke device: %w", err)
	}
	if d.ID == 0 {
		return PairedDevice{}, ErrNotFound
	}
	s.auth.forget() // at once here; other replicas on the notification
	return d, nil
}

// Deactivate ends the access of worker id at once (someone who left, or must not work
// now): their phones are unpaired and get no more pushes, their open pairing codes stop
// working, and they are listed nowhere the crew picks a colleague. What they did (hours,
// history) stays. changed is false when they were inactive already.
func (s *Store) Deactivate(ctx context.Context, id int64) (changed bool, err error) {
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		var was *bool
		if err := tx.Raw(`SELECT active FROM workers WHERE id = ? FOR NO KEY UPDATE`, id).Scan(&was).Error; err != nil {
			return err
		}
		if was == nil {
			return ErrNotFound
		}
		changed = *was
		if err := tx.Exec(`UPDATE workers SET active = false, deactivated_on = (now() AT TIME ZONE 'Europe/Amsterdam')::date
WHERE id = ? AND active`, id).Error; err != nil {
			return err
		}
		if err := tx.Exec(`UPDATE devices SET revoked_at = COALESCE(revoked_at, now()), fcm_token = NULL
WHERE worker_id = ? AND (revoked_at IS NULL OR fcm_token IS NOT NULL)`, id).Error; err != nil {
			return err
		}
		return tx.Exec(`UPDATE pairing_codes SET expires_at = now() WHERE worker_id = ? AND used_at IS NULL AND expires_at > now()`, id).Error
	})
	if errors.Is(err, ErrNotFound) {
		return false, err
	}
	if err != nil {
		return false, fmt.Errorf("worker: deactivate: %w", err)
	}
	s.auth.forget() // at once here; other replicas on the notification
	return changed, nil
}

// Reactivate gives worker id access again after Deactivate (a mistake, or someone who
// comes back). Their old phones stay unpaired: a phone needs a new pairing code. The
// dates still count: a worker past their contract end or outflow gets no access from
// this alone. changed is false when they were active already.
func (s *Store) Reactivate(ctx context.Context, id int64) (changed bool, err error) {
	var row struct {
		ID      int64
		Changed bool
	}
	err = s.db.WithContext(ctx).Raw(`
UPDATE workers w SET active = true, deactivated_on = NULL FROM workers old
WHERE w.id = ? AND old.id = w.id
RETURNING w.id, NOT old.active AS changed`, id).Scan(&row).Error
	if err != nil {
		return false, fmt.Errorf("worker: reactivate: %w", err)
	}
	if row.ID == 0 {
		return false, ErrNotFound
	}
	s.auth.forget()
	return row.Changed, nil
}

// Forget empties this store's kept credential checks at once, after a change that may
// end a worker's access (an outflow, a contract end): other replicas follow on the
// notification of migration 00022.
func (s *Store) Forget() { s.auth.forget() }

// AccessSQL is the condition that the worker of the workers row alias w is with the crew
// today, so that their phone works, gets pushes and they can be picked as a colleague:
// the desk has not ended their access (active), their contract has not ended (the end is
// the last day), and they have not flowed out (from the outflow's date on; an outflow
// before their placement began belongs to an earlier placement, see FirstDaySQL). Today
// is Amsterdam's.
//
// The dates are compared at every check rather than a job switching workers off when a
// date passes: there is no gap until a job runs, and a corrected date (an outflow
// removed, a contract extended) gives access back by itself, while active stays the
// desk's own decision.
func AccessSQL(w string) string {
	return strings.ReplaceAll(`(W.active
  AND (W.contract_end IS NULL OR W.contract_end >= (now() AT TIME ZONE 'Europe/Amsterdam')::date)
  AND NOT EXISTS (SELECT 1 FROM `+outflowsSQL("W")+`
                  AND wo.date <= (now() AT TIME ZONE 'Europe/Amsterdam')::date))`, "W.", w+".")
}

// LastDaySQL is the last day the worker of the workers row alias w was with the crew
// (an SQL date), NULL while nothing ends it: the day the desk ended their access
// (deactivated_on: they were with the crew until that moment), their contract's last
// day, or the day before their first outflow of this placement; the earliest of these.
// The same dates as AccessSQL, looked at for a day in the past.
func LastDaySQL(w string) string {
	return strings.ReplaceAll(`LEAST(CASE WHEN NOT W.active THEN W.deactivated_on END, W.contract_end,
  (SELECT min(wo.date) - 1 FROM `+outflowsSQL("W")+`))`, "W.", w+".")
}

// FirstDaySQL is the first day of the current placement of the worker of the workers row
// alias w (an SQL date): their placement start, else the day they were registered (in
// Amsterdam). It is planner.FirstDay in SQL: capacity, participation and access agree
// on which outflows are this placement's, so a worker registered again without a
// placement start, whose outflow is from an earlier placement, is with the crew for the
// phone as for the planner.
func FirstDaySQL(w string) string {
	return "COALESCE(" + w + ".placement_start, (" + w + ".created_at AT TIME ZONE 'Europe/Amsterdam')::date)"
}

// outflowsSQL is the FROM and WHERE of the outflows (alias wo) of the current placement
// of the worker of the workers row alias w: those on or after FirstDaySQL.
func outflowsSQL(w string) string {
	return "worker_outflows wo WHERE wo.worker_id = " + w + ".id AND wo.date >= " + FirstDaySQL(w)
}

// AccessOnSQL is the condition that the worker of the workers row alias w was with the
// crew on day (an SQL date expression, not after today), or on any day since: their
// access has not ended before it (LastDaySQL). Someone the desk deactivated before
// deactivated_on was kept has no known last day and was with the crew on no day.
func AccessOnSQL(w, day string) string {
	return "((" + w + ".active OR " + w + ".deactivated_on IS NOT NULL) AND COALESCE(" + LastDaySQL(w) + " >= " + day + ", true))"
}

// hash fingerprints a code or credential. (Keep a hash out of the first place after a
// parenthesis in GORM SQL: GORM expands a byte slice there as a list.)
func hash(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}
