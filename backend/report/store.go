package report

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"wijkwerk/backend/category"
	"wijkwerk/backend/database"
	"wijkwerk/backend/idempotency"
	"wijkwerk/backend/initiative"
	"wijkwerk/backend/job"
	"wijkwerk/backend/publiccode"
	"wijkwerk/backend/push"
	"wijkwerk/backend/routing"
)

// filed is what the intake statement returns, and what a report's idempotency key
// stores: the receipt is made from it (see receipt), the first time and on a retry.
type filed struct {
	JobID        int64     `json:"job_id"`
	Version      int       `json:"version"`
	Status       string    `json:"status"`
	TeamID       int64     `json:"team_id"`
	TeamName     string    `json:"team_name"`
	ReportCount  int       `json:"report_count"`
	DueDate      string    `json:"due_date"`
	ReportID     int64     `json:"report_id"`
	TrackingCode string    `json:"tracking_code"`
	CreatedAt    time.Time `json:"created_at"`
	Duplicate    bool      `json:"duplicate"`
	Area         AreaRef   `json:"area"`
}

// fileSQL files a report in one statement, after job.LockNearSQL in the same
// transaction: it joins the nearest open job of the same category within the duplicate
// radius (report count up) or starts a routed job stamped with the quality level that
// applies there, and writes the report, the audit event, the contact details, the
// photos, the crew's push (outbox) and the idempotency key. It returns the filed row as
// JSON, which is also what the key stores. A key someone already stored fails the
// statement with a unique violation on idempotency_keys_pkey (idempotency.Taken).
//
// It is one statement because intake is the hot path: with the lock it is sent in one
// round trip (see sendGroup and BENCHMARKS.md).
const fileSQL = `
WITH d AS (` + job.DuplicateSQL + `
), nj AS (
  INSERT INTO jobs (category_code, location, area_id, team_id, status, description, due_date, effort_minutes, quality_level)
  SELECT @cat, ST_SetSRID(ST_MakePoint(@lon, @lat), 4326), @area, NULLIF(@team, 0), @status, @descr, @due, @effort,
         quality_level_at(@theme, ST_SetSRID(ST_MakePoint(@lon, @lat), 4326), CAST(@chain AS bigint[]))
  WHERE NOT EXISTS (SELECT 1 FROM d)
  RETURNING id, version, status, team_id, report_count, due_date, false AS duplicate
), uj AS (
  -- The job's version stays (a crew's pending action must not go stale because a
  -- neighbour reported too); its change sequence moves, so phones see the new count.
  UPDATE jobs SET report_count = report_count + 1 WHERE id = (SELECT id FROM d)
  RETURNING id, version, status, team_id, report_count, due_date, true AS duplicate
), j AS (
  SELECT * FROM nj UNION ALL SELECT * FROM uj
), r AS (
  INSERT INTO reports (tracking_code, job_id, category_code, location, area_id, description, answers, channel, duplicate)
  SELECT @code, j.id, @cat, ST_SetSRID(ST_MakePoint(@lon, @lat), 4326), @area, @descr, CAST(@answers AS jsonb), @channel, j.duplicate
  FROM j
  RETURNING id, created_at
), a AS (
  INSERT INTO audit_events (job_id, actor, action, from_status, to_status, detail)
  SELECT j.id, 'resident',
         CASE WHEN j.duplicate THEN 'report_added' ELSE 'created' END,
         CASE WHEN j.duplicate THEN j.status ELSE '' END,
         j.status,
         CASE WHEN j.duplicate THEN jsonb_build_object('report_id', r.id, 'channel', CAST(@channel AS text))
              ELSE jsonb_build_object('report_id', r.id, 'channel', CAST(@channel AS text), 'team_id', j.team_id) END
  FROM j, r
), c AS (
  INSERT INTO report_contacts (report_id, email, phone, wants_updates, app_token)
  SELECT r.id, @email, @phone, @wants_updates, @app_token FROM r WHERE CAST(@has_contact AS boolean)
), o AS (
  INSERT INTO push_outbox (job_id, team_id, kind, version, title_nl, body_nl, expires_at)
  SELECT j.id, j.team_id, @push_kind, j.version, @push_title, @push_body, now() + make_interval(secs => @push_ttl)
  FROM j WHERE NOT j.duplicate AND j.team_id IS NOT NULL
), p AS (
  INSERT INTO job_photos (job_id, hash, kind, width, height, bytes)
  SELECT j.id, ph.hash, 'report', ph.width, ph.height, ph.bytes
  FROM j, unnest(CAST(@photo_hashes AS text[]), CAST(@photo_widths AS integer[]),
                 CAST(@photo_heights AS integer[]), CAST(@photo_bytes AS bigint[])) AS ph (hash, width, height, bytes)
  ON CONFLICT DO NOTHING
), res AS (
  SELECT jsonb_build_object(
    'job_id', j.id, 'version', j.version, 'status', j.status, 'team_id', COALESCE(j.team_id, 0),
    'team_name', COALESCE(t.name, ''), 'report_count', j.report_count, 'due_date', j.due_date,
    'report_id', r.id, 'tracking_code', CAST(@code AS text), 'created_at', r.created_at, 'duplicate', j.duplicate,
    'area', jsonb_build_object('code', CAST(@area_code AS text), 'name', CAST(@area_name AS text), 'kind', CAST(@area_kind AS text))
  ) AS filed
  FROM j CROSS JOIN r LEFT JOIN teams t ON t.id = j.team_id
), k AS (
  INSERT INTO idempotency_keys (scope, key, request_hash, status, response)
  SELECT @scope, @key, @hash, 201, res.filed FROM res WHERE CAST(@key AS text) <> ''
)
SELECT filed FROM res`

// filing is one report on its way into the database.
type filing struct {
	lockKeys []int64
	args     map[string]any // fileSQL's parameters
}

// The intake statements, rewritten to $n parameters once.
var (
	lockStmt = database.NewNamed(job.LockNearSQL)
	fileStmt = database.NewNamed(fileSQL)
)

// newFiling prepares the arguments of fileSQL. A filing that fails for a tracking code
// collision is made again, with a new code.
func newFiling(sub Submission, cat category.Category, route routing.Route, due time.Time, pushTTL time.Duration, key string, hash []byte) filing {
	answers := []byte("{}")
	if len(sub.Answers) > 0 {
		answers, _ = json.Marshal(sub.Answers)
	}
	area := route.Chain[0]
	teamID, status := int64(0), job.Open
	if route.Team != nil {
		teamID, status = route.Team.ID, job.Assigned
	}
	title, body := push.Request{Kind: push.KindAssigned}.Text()
	n := len(sub.Photos)
	hashes, widths, heights, sizes := make([]string, n), make([]int32, n), make([]int32, n), make([]int64, n)
	for i, ph := range sub.Photos {
		hashes[i], widths[i], heights[i], sizes[i] = ph.Hash, int32(ph.Width), int32(ph.Height), ph.Bytes
	}
	c := sub.Contact
	return filing{
		lockKeys: job.LockKeys(cat.Code, sub.Location),
		args: map[string]any{
			"cat": cat.Code, "lon": sub.Location[0], "lat": sub.Location[1], "radius": job.DuplicateRadius,
			"area": area.ID, "area_code": area.Code, "area_name": area.Name, "area_kind": string(area.Kind),
			"chain": initiative.AreaIDs(route.Chain), "theme": cat.Theme,
			"team": teamID, "status": string(status), "descr": sub.Description, "due": due, "effort": cat.EffortMinutes,
			"code": publiccode.New(), "answers": string(answers), "channel": sub.Channel,
			"has_contact": !c.Empty(), "email": c.Email, "phone": c.Phone, "wants_updates": c.WantsUpdates, "app_token": c.AppToken,
			"push_kind": string(push.KindAssigned), "push_title": title, "push_body": body, "push_ttl": pushTTL.Seconds(),
			"photo_hashes": hashes, "photo_widths": widths, "photo_heights": heights, "photo_bytes": sizes,
			"scope": idempotencyScope, "key": key, "hash": hash,
		},
	}
}

// sendGroup files a group of reports (see group.go) as one transaction in one round
// trip: BEGIN, the place locks of all of them (job.LockNearSQL, in one sorted order, so
// groups filed at the same time cannot deadlock), fileSQL for each, and COMMIT go out as
// one pgx batch. A later report in the group sees the jobs of the earlier ones, so two
// reports of one issue in one group make one job. After an error the transaction is
// left aborted and database.Pipeline rolls it back: nothing of the group is filed.
func sendGroup(ctx context.Context, c *pgx.Conn, group []filing) ([]filed, error) {
	var keys []int64
	for _, fl := range group {
		keys = append(keys, fl.lockKeys...)
	}
	slices.Sort(keys)
	var b pgx.Batch
	b.Queue("BEGIN")
	b.Queue(lockStmt.SQL(), lockStmt.Args(map[string]any{"lock_keys": slices.Compact(keys)})...)
	for _, fl := range group {
		b.Queue(fileStmt.SQL(), fileStmt.Args(fl.args)...)
	}
	b.Queue("COMMIT")
	br := c.SendBatch(ctx, &b)
	raw := make([][]byte, len(group))
	_, err := br.Exec()
	if err == nil {
		_, err = br.Exec()
	}
	for i := 0; err == nil && i < len(group); i++ {
		err = br.QueryRow().Scan(&raw[i])
	}
	if err == nil {
		var tag pgconn.CommandTag
		if tag, err = br.Exec(); err == nil && tag.String() != "COMMIT" {
			err = fmt.Errorf("transaction ended with %s", tag)
		}
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	switch {
	case err == nil:
	case idempotency.Taken(err):
		return nil, err
	case database.IsCode(err, database.UniqueViolation):
		// A tracking code collision (about 49 bits of randomness): run the whole
		// transaction again with a fresh code.
		return nil, fmt.Errorf("report: tracking code taken: %w", database.ErrRetry)
	default:
		return nil, fmt.Errorf("report: file: %w", err)
	}
	out := make([]filed, len(group))
	for i := range raw {
		if err := json.Unmarshal(raw[i], &out[i]); err != nil {
			return nil, fmt.Errorf("report: file: %w", err)
		}
	}
	return out, nil
}
