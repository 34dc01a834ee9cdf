package report

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"wijkwerk/backend/category"
	"wijkwerk/backend/database"
	"wijkwerk/backend/idempotency"
	"wijkwerk/backend/initiative"
	"wijkwerk/backend/job"
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
	SupportCount int       `json:"support_count"`
	DueDate      string    `json:"due_date"`
	ReportID     int64     `json:"report_id"`
	TrackingCode string    `json:"tracking_code"`
	CreatedAt    time.Time `json:"created_at"`
	Duplicate    bool      `json:"duplicate"`
	Area         AreaRef   `json:"area"`
	// KeyTaken: the report's idempotency key was stored before (a retry), so fileSQL
	// left it out; the caller answers with what the key stored.
	KeyTaken bool `json:"key_taken,omitempty"`
}

// fileSQL files a set of reports in one statement, after job.LockNearSQL in the same
// transaction. Each report joins the nearest open job of its category within the
// duplicate radius (report count up) or starts a routed job stamped with the quality
// level that applies there; the statement writes the reports, audit events, contact
// details, photos, the crews' pushes (outbox) and the idempotency keys, and returns one
// filed row per report as JSON, in the order given, which is also what a key stores. A
// report whose key was stored before (a retry) is left out and answered with key_taken,
// so a retry does not fail its group; a key stored meanwhile by a transaction still
// running fails the statement with a unique violation on idempotency_keys_pkey
// (idempotency.Taken), and the group is filed again report by report.
//
// The reports come as parallel arrays, one element each (see fileSet); a report's
// photos as arrays of their own, tied to it by its position (@photo_n). No two reports
// of one set may be duplicates of each other, since the statement cannot see its own
// new jobs: sets (below) puts such reports in a later statement of the transaction.
// Two reports of a set may join the same existing job; each is told the count as it
// was after its own report.
//
// A stored key is looked up as a scalar subquery, not EXISTS: PostgreSQL may run an
// EXISTS as one hash of every key of the scope, which a plan made while the table was
// small keeps doing as it grows (test TestFileReadsKeysByKey).
//
// It is one statement per set because intake is the hot path: one statement's fixed
// cost (planning, executor start, a dozen tables and their indexes opened and locked)
// is paid once for all the reports that arrive together (see BENCHMARKS.md).
var fileSQL = `
WITH i AS (
  SELECT u.n, u.cat, ST_SetSRID(ST_MakePoint(u.lon, u.lat), 4326) AS pt, u.area, u.area_code, u.area_name, u.area_kind,
         CAST(u.chain AS bigint[]) AS chain, u.theme, NULLIF(u.team, 0) AS team, u.status, u.descr, u.addr, u.due, u.effort,
         u.code, CAST(u.answers AS jsonb) AS answers, u.channel, u.has_contact, u.email, u.phone, u.wants_updates,
         u.app_token, u.lang, u.key, u.hash,
         u.key <> '' AND COALESCE((SELECT true FROM idempotency_keys k WHERE k.scope = @scope AND k.key = u.key), false) AS taken
  FROM unnest(CAST(@cat AS text[]), CAST(@lon AS float8[]), CAST(@lat AS float8[]), CAST(@area AS bigint[]),
              CAST(@area_code AS text[]), CAST(@area_name AS text[]), CAST(@area_kind AS text[]), CAST(@chain AS text[]),
              CAST(@theme AS text[]), CAST(@team AS bigint[]), CAST(@status AS text[]), CAST(@descr AS text[]),
              CAST(@addr AS text[]), CAST(@due AS date[]), CAST(@effort AS integer[]), CAST(@code AS text[]), CAST(@answers AS text[]),
              CAST(@channel AS text[]), CAST(@has_contact AS boolean[]), CAST(@email AS text[]), CAST(@phone AS text[]),
              CAST(@wants_updates AS boolean[]), CAST(@app_token AS text[]), CAST(@lang AS text[]), CAST(@key AS text[]),
              CAST(@hash AS bytea[]))
       WITH ORDINALITY AS u (cat, lon, lat, area, area_code, area_name, area_kind, chain, theme, team, status, descr,
                             addr, due, effort, code, answers, channel, has_contact, email, phone, wants_updates, app_token,
                             lang, key, hash, n)
), d AS MATERIALIZED (
  SELECT i.*, ` + job.NearestOpenSQL("i.cat", "i.pt") + ` AS dup FROM i WHERE NOT i.taken
), ids AS (
  -- A new job's id is taken here, so that its row can be told apart from the others.
  -- Each step carries the report's columns on, so that no step joins back to i.
  SELECT d.*, d.dup IS NOT NULL AS duplicate, COALESCE(d.dup, nextval('jobs_id_seq')) AS job_id FROM d
), nj AS (
  INSERT INTO jobs (id, category_code, location, area_id, team_id, status, description, address, due_date, effort_minutes, quality_level)
  OVERRIDING SYSTEM VALUE
  SELECT job_id, cat, pt, area, team, status, descr, addr, due, effort, quality_level_at(theme, pt, chain)
  FROM ids
  WHERE NOT duplicate
  RETURNING id, version, status, team_id, report_count, due_date, support_count
), uj AS (
  -- The job's version stays (a crew's pending action must not go stale because a
  -- neighbour reported too); its change sequence moves, so phones see the new count.
  UPDATE jobs SET report_count = report_count + g.added
  FROM (SELECT job_id, count(*) AS added FROM ids WHERE duplicate GROUP BY job_id) g
  WHERE jobs.id = g.job_id
  RETURNING jobs.id, jobs.version, jobs.status, jobs.team_id, jobs.report_count, jobs.due_date, jobs.support_count
), j AS (
  SELECT ids.*, x.version, x.status AS job_status, x.team_id, x.due_date, x.support_count,
         x.report_count + 1 - CAST(row_number() OVER (PARTITION BY x.id ORDER BY ids.n DESC) AS integer) AS report_count
  FROM ids JOIN (SELECT * FROM nj UNION ALL SELECT * FROM uj) x ON x.id = ids.job_id
), r AS (
  INSERT INTO reports (tracking_code, job_id, category_code, location, area_id, description, address, answers, channel, duplicate)
  SELECT code, job_id, cat, pt, area, descr, addr, answers, channel, duplicate FROM j
  RETURNING id, tracking_code, created_at
), jr AS (
  SELECT j.*, r.id AS report_id, r.created_at FROM j JOIN r ON r.tracking_code = j.code
), a AS (
  INSERT INTO audit_events (job_id, actor, action, from_status, to_status, detail)
  SELECT job_id, 'resident',
         CASE WHEN duplicate THEN 'report_added' ELSE 'created' END,
         CASE WHEN duplicate THEN job_status ELSE '' END,
         job_status,
         CASE WHEN duplicate THEN jsonb_build_object('report_id', report_id, 'channel', channel)
              ELSE jsonb_build_object('report_id', report_id, 'channel', channel, 'team_id', team_id) END
  FROM jr
  ORDER BY n
), c AS (
  INSERT INTO report_contacts (report_id, email, phone, wants_updates, app_token, lang)
  SELECT report_id, email, phone, wants_updates, app_token, lang FROM jr WHERE has_contact
), o AS (
  -- Without text: the worker sends the kind's default (push.Request.OutboxText).
  INSERT INTO push_outbox (job_id, team_id, kind, version, expires_at)
  SELECT job_id, team_id, @push_kind, version, now() + make_interval(secs => @push_ttl)
  FROM j WHERE NOT duplicate AND team_id IS NOT NULL
), p AS (
  INSERT INTO job_photos (job_id, hash, kind, width, height, bytes)
  SELECT j.job_id, ph.hash, 'report', ph.width, ph.height, ph.bytes
  FROM unnest(CAST(@photo_n AS bigint[]), CAST(@photo_hashes AS text[]), CAST(@photo_widths AS integer[]),
              CAST(@photo_heights AS integer[]), CAST(@photo_bytes AS bigint[])) AS ph (n, hash, width, height, bytes)
  JOIN j ON j.n = ph.n
  ON CONFLICT DO NOTHING
), res AS (
  SELECT jr.n, jr.key, jr.hash, jsonb_build_object(
    'job_id', jr.job_id, 'version', jr.version, 'status', jr.job_status, 'team_id', COALESCE(jr.team_id, 0),
    'team_name', COALESCE(t.name, ''), 'report_count', jr.report_count, 'support_count', jr.support_count,
    'due_date', jr.due_date,
    'report_id', jr.report_id, 'tracking_code', jr.code, 'created_at', jr.created_at, 'duplicate', jr.duplicate,
    'area', jsonb_build_object('code', jr.area_code, 'name', jr.area_name, 'kind', jr.area_kind)
  ) AS filed
  FROM jr LEFT JOIN teams t ON t.id = jr.team_id
), k AS (
  INSERT INTO idempotency_keys (scope, key, request_hash, status, response)
  SELECT @scope, key, hash, 201, filed FROM res WHERE key <> ''
)
SELECT filed FROM (
  SELECT n, filed FROM res
  UNION ALL
  SELECT n, jsonb_build_object('key_taken', true) FROM i WHERE taken
) answers ORDER BY n`

// lockSQL starts a filing transaction: it takes the place locks of a group
// (job.LockNearSQL) and sets, for the transaction only, how PostgreSQL plans fileSQL.
// That statement is big and its best plan does not depend on the values, so one
// generic plan per connection: planning it for each group, as PostgreSQL may otherwise
// choose, cost more than filing. And no sequential scans: the statement reads a few
// rows of each table by key, but a plan made while the tables were small (a new
// database) would read all of jobs for each group, and a generic plan is kept until the
// next ANALYZE (measured: most of PostgreSQL's time, in the first minutes after a start).
const lockSQL = `SELECT ` + planSettingsSQL + `, (` + job.LockNearSQL + `)`

// planSettingsSQL sets, for the transaction, how PostgreSQL plans fileSQL (see lockSQL).
const planSettingsSQL = `set_config('plan_cache_mode', 'force_generic_plan', true), set_config('enable_seqscan', 'off', true)`

// filing is one report on its way into the database: fileSQL's values for it.
type filing struct {
	lockKeys []int64
	code     string // tracking code
	cat      string
	lon, lat float64
	area     AreaRef
	areaID   int64
	chain    string // the ids of the area and its ancestors, as a PostgreSQL array
	theme    string
	team     int64
	status   string
	descr    string
	addr     string
	due      time.Time
	effort   int
	answers  string
	channel  string
	contact  Contact
	key      string
	hash     []byte
	photos   []job.Photo
}

// The intake statements, rewritten to $n parameters once.
var (
	lockStmt = database.NewNamed(lockSQL)
	fileStmt = database.NewNamed(fileSQL)
)

// newFiling prepares a report's values for fileSQL, all but its tracking code, which each
// attempt to file it sets anew (a collision is tried again with a new code).
func newFiling(sub Submission, cat category.Category, route routing.Route, due time.Time, key string, hash []byte) filing {
	answers := []byte("{}")
	if len(sub.Answers) > 0 {
		answers, _ = json.Marshal(sub.Answers)
	}
	area := route.Chain[0]
	teamID, status := int64(0), job.Open
	if route.Team != nil {
		teamID, status = route.Team.ID, job.Assigned
	}
	return filing{
		lockKeys: job.LockKeys(cat.Code, sub.Location),
		cat:      cat.Code, lon: sub.Location[0], lat: sub.Location[1],
		area:   AreaRef{Code: area.Code, Name: area.Name, Kind: string(area.Kind)},
		areaID: area.ID, chain: database.Int64Array(initiative.AreaIDs(route.Chain)), theme: cat.Theme,
		team: teamID, status: string(status), descr: sub.Description, addr: sub.Address, due: due, effort: cat.EffortMinutes,
		answers: string(answers), channel: sub.Channel, contact: sub.Contact, key: key, hash: hash, photos: sub.Photos,
	}
}

// sets cuts a group into runs that one fileSQL statement each can file: a report that
// might be a duplicate of one earlier in its run (they share a lock key, see
// job.LockKeys) starts a new run, so that it sees the job the earlier one starts.
func sets(group []filing) [][]filing {
	var out [][]filing
	seen := map[int64]bool{}
	start := 0
	for i, fl := range group {
		if slices.ContainsFunc(fl.lockKeys, func(k int64) bool { return seen[k] }) {
			out = append(out, group[start:i])
			start, seen = i, map[int64]bool{}
		}
		for _, k := range fl.lockKeys {
			seen[k] = true
		}
	}
	return append(out, group[start:])
}

// fileArgs are fileSQL's arguments for a set of reports.
func fileArgs(set []filing, pushTTL time.Duration) []any {
	n := len(set)
	var (
		cats, areaCodes, areaNames, areaKinds, chains, themes = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		statuses, descrs, addrs, codes, answers, channels     = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		emails, phones, appTokens, langs, keys                = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		lons, lats                                            = make([]float64, n), make([]float64, n)
		areas, teams                                          = make([]int64, n), make([]int64, n)
		dues                                                  = make([]time.Time, n)
		efforts                                               = make([]int32, n)
		hasContact, wantsUpdates                              = make([]bool, n), make([]bool, n)
		hashes                                                = make([][]byte, n)
		phN                                                   []int64
		phHashes                                              []string
		phWidths, phHeights                                   []int32
		phBytes                                               []int64
	)
	for i, fl := range set {
		cats[i], lons[i], lats[i], areas[i] = fl.cat, fl.lon, fl.lat, fl.areaID
		areaCodes[i], areaNames[i], areaKinds[i], chains[i], themes[i] = fl.area.Code, fl.area.Name, fl.area.Kind, fl.chain, fl.theme
		teams[i], statuses[i], descrs[i], addrs[i], dues[i], efforts[i] = fl.team, fl.status, fl.descr, fl.addr, fl.due, int32(fl.effort)
		codes[i], answers[i], channels[i] = fl.code, fl.answers, fl.channel
		c := fl.contact
		hasContact[i], emails[i], phones[i], wantsUpdates[i], appTokens[i], langs[i] = !c.Empty(), c.Email, c.Phone, c.WantsUpdates, c.AppToken, c.lang()
		keys[i], hashes[i] = fl.key, fl.hash
		for _, ph := range fl.photos {
			phN = append(phN, int64(i+1))
			phHashes = append(phHashes, ph.Hash)
			phWidths = append(phWidths, int32(ph.Width))
			phHeights = append(phHeights, int32(ph.Height))
			phBytes = append(phBytes, ph.Bytes)
		}
	}
	return fileStmt.Args(map[string]any{
		"cat": cats, "lon": lons, "lat": lats, "area": areas, "area_code": areaCodes, "area_name": areaNames,
		"area_kind": areaKinds, "chain": chains, "theme": themes, "team": teams, "status": statuses, "descr": descrs, "addr": addrs,
		"due": dues, "effort": efforts, "code": codes, "answers": answers, "channel": channels,
		"has_contact": hasContact, "email": emails, "phone": phones, "wants_updates": wantsUpdates, "app_token": appTokens,
		"lang": langs, "key": keys, "hash": hashes,
		"photo_n": phN, "photo_hashes": phHashes, "photo_widths": phWidths, "photo_heights": phHeights, "photo_bytes": phBytes,
		"push_kind": string(push.KindAssigned), "push_ttl": pushTTL.Seconds(),
		"scope": idempotencyScope,
	})
}

// sendGroup files a group of reports (see group.go) as one transaction in one round
// trip: the place locks of all of them (lockSQL, in one sorted order, so groups filed at
// the same time cannot deadlock) and fileSQL for each set (usually one for the whole
// group) go out as one pgx batch, which PostgreSQL runs as one implicit transaction: it
// commits at the batch's end, or not at all after an error. So nothing of a failed group
// is filed, and a group is filed once sendGroup has read the batch to its end.
func sendGroup(ctx context.Context, c *pgx.Conn, group []filing, pushTTL time.Duration) ([]filed, error) {
	var keys []int64
	for _, fl := range group {
		keys = append(keys, fl.lockKeys...)
	}
	slices.Sort(keys)
	var b pgx.Batch
	b.Queue(lockStmt.SQL(), lockStmt.Args(map[string]any{"lock_keys": slices.Compact(keys)})...)
	runs := sets(group)
	for _, set := range runs {
		b.Queue(fileStmt.SQL(), fileArgs(set, pushTTL)...)
	}
	br := c.SendBatch(ctx, &b)
	raw := make([][]byte, 0, len(group))
	_, err := br.Exec()
	for i := 0; err == nil && i < len(runs); i++ {
		var rows pgx.Rows
		rows, err = br.Query()
		if err == nil {
			var got [][]byte
			got, err = pgx.CollectRows(rows, pgx.RowTo[[]byte])
			raw = append(raw, got...)
		}
	}
	if err == nil && len(raw) != len(group) {
		err = fmt.Errorf("filed %d of %d reports", len(raw), len(group))
	}
	if cerr := br.Close(); err == nil { // the commit's outcome
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
