package report

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/paulmach/orb"
	"gorm.io/gorm"

	"wijkwerk/backend/database"
	"wijkwerk/backend/job"
	"wijkwerk/backend/problem"
)

// NearbyRadius is how far (in metres) "already reported?" looks around a point.
const NearbyRadius = 50.0

// Nearby is an open job near a point, with public fields only.
type Nearby struct {
	JobID        int64      `json:"job_id"`
	Category     string     `json:"category"`
	CategoryName string     `json:"category_name"`
	Status       string     `json:"status"`
	DistanceM    float64    `json:"distance_m"`
	ReportCount  int        `json:"report_count"`
	SupportCount int        `json:"support_count"`
	Location     [2]float64 `json:"coordinates"`
	CreatedAt    time.Time  `json:"created_at"`
}

var nearbySQL = `
SELECT j.id AS job_id, j.category_code AS category, c.name_nl, c.name_en, j.status,
       ST_Distance(j.location::geography, p.g) AS distance_m, j.report_count, j.support_count,
       ST_X(j.location) AS lon, ST_Y(j.location) AS lat, j.created_at
FROM jobs j
JOIN categories c ON c.code = j.category_code,
     (SELECT ST_SetSRID(ST_MakePoint(?, ?), 4326)::geography AS g) p
WHERE ` + job.OpenSQL + `
  AND c.active -- what residents can report: not, say, a support job of an initiative
  AND ` + notProtectedSQL + ` -- nor enforcement, about neighbours (see protected)
  AND ST_DWithin(j.location::geography, p.g, ?)
  %s
ORDER BY distance_m
LIMIT 20`

// Nearby lists open jobs within NearbyRadius of p, nearest first, optionally of one
// category, in lang. Protected reports' jobs (enforcement) are never listed: the
// distances would give their exact place away.
func (s *Service) Nearby(ctx context.Context, p orb.Point, category, lang string) ([]Nearby, error) {
	if err := ValidLocation(p); err != nil {
		return nil, err
	}
	if category != "" {
		if _, err := s.reportable(ctx, category); err != nil {
			return nil, err
		}
	}
	var rows []struct {
		JobID        int64
		Category     string
		NameNL       string
		NameEN       string
		Status       string
		DistanceM    float64
		ReportCount  int
		SupportCount int
		Lon, Lat     float64
		CreatedAt    time.Time
	}
	// Two statements rather than "(? = '' OR category = ?)", whose generic prepared
	// plan cannot use the category to narrow anything.
	query, args := fmt.Sprintf(nearbySQL, ""), []any{p[0], p[1], NearbyRadius}
	if category != "" {
		query, args = fmt.Sprintf(nearbySQL, "AND j.category_code = ?"), append(args, category)
	}
	if err := s.db.WithContext(ctx).Raw(query, args...).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("report: nearby: %w", err)
	}
	out := make([]Nearby, len(rows))
	for i, r := range rows {
		out[i] = Nearby{
			JobID: r.JobID, Category: r.Category, CategoryName: r.NameNL, Status: r.Status,
			DistanceM: math.Round(r.DistanceM*10) / 10, ReportCount: r.ReportCount, SupportCount: r.SupportCount,
			Location: [2]float64{r.Lon, r.Lat}, CreatedAt: r.CreatedAt.UTC(),
		}
		if lang == "en" {
			out[i].CategoryName = r.NameEN
		}
	}
	return out, nil
}

// Support is a resident saying "I have this too" about an open job. Its contact may
// carry the resident app's token, as a report's does.
type Support struct {
	DeviceID string
	Contact  Contact
}

// SupportResult is the answer to a support.
type SupportResult struct {
	JobID        int64  `json:"job_id"`
	ReportCount  int    `json:"report_count"`
	SupportCount int    `json:"support_count"`
	Counted      bool   `json:"counted"` // false when this resident had supported it before
	Message      string `json:"message"`
	MessageEN    string `json:"message_en"`
}

// supporterKeys identify a resident without storing who they are: hashes of their
// device id, their e-mail address, their phone number and their app's push token, as
// far as given, the first one given first. A resident is counted once whichever of them
// they send again. The token comes last, so a resident known by another way keeps the
// key their contact row has; it counts on its own for an app that sends only its token,
// as a report carries it (contact.app_token).
func (sp Support) supporterKeys() ([][]byte, error) {
	var ids []string
	if sp.DeviceID != "" {
		ids = append(ids, "device:"+sp.DeviceID)
	}
	if sp.Contact.Email != "" {
		ids = append(ids, "email:"+strings.ToLower(sp.Contact.Email))
	}
	if sp.Contact.Phone != "" {
		ids = append(ids, "phone:"+phoneDigits(sp.Contact.Phone))
	}
	if sp.Contact.AppToken != "" {
		ids = append(ids, "token:"+sp.Contact.AppToken)
	}
	if len(ids) == 0 {
		return nil, problem.Invalid("device_id", problem.T(
			"Stuur een apparaat-id of een e-mailadres mee, zodat we u één keer tellen.",
			"Send a device id or an email address, so we count you once."))
	}
	keys := make([][]byte, len(ids))
	for i, id := range ids {
		h := sha256.Sum256([]byte(id))
		keys[i] = h[:]
	}
	return keys, nil
}

// phoneDigits is a phone number's digits: how a supporter's number is compared.
func phoneDigits(phone string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, phone)
}

// supportContact is a support_contacts row of a job, as mergeSupporter reads it.
type supportContact struct {
	Supporter []byte
	Email     string
	Phone     string
	AppToken  string
}

// mergeSupporter keeps one contact row of a resident who supports job jobID again: the
// earliest of the rows found for them (earlier, by any of the ways they are known now,
// as forgetSupporter finds them), with what they give now (c) and, where they give
// nothing now, what the rows held. A resident hears the job's news once, by one app
// token and one address; two rows would mean two pushes when they come with two tokens.
// The other rows go, and their mails not yet sent are the kept row's: the outbox names
// a row, not an address (package mail).
func mergeSupporter(tx *gorm.DB, jobID int64, earlier []supportContact, c Contact) error {
	email, phone, token := c.Email, c.Phone, c.AppToken
	others := make([]string, 0, len(earlier)-1)
	for i, e := range earlier {
		email, phone, token = cmp.Or(email, e.Email), cmp.Or(phone, e.Phone), cmp.Or(token, e.AppToken)
		if i > 0 {
			others = append(others, `\x`+hex.EncodeToString(e.Supporter))
		}
	}
	kept := earlier[0].Supporter
	if len(others) > 0 {
		if err := tx.Exec(`DELETE FROM support_contacts WHERE job_id = ? AND supporter = ANY(CAST(? AS bytea[]))`,
			jobID, database.TextArray(others)).Error; err != nil {
			return err
		}
		if err := tx.Exec(`UPDATE mail_outbox SET supporter = ? WHERE job_id = ? AND supporter = ANY(CAST(? AS bytea[])) AND done_at IS NULL`,
			kept, jobID, database.TextArray(others)).Error; err != nil {
			return err
		}
	}
	return tx.Exec(`UPDATE support_contacts SET email = ?, phone = ?, app_token = ?, lang = ? WHERE job_id = ? AND supporter = ?`,
		email, phone, token, c.lang(), jobID, kept).Error
}

// Support counts a resident once on job id and, if they want updates, keeps their
// contact details until the erase job removes them; if they do not, it forgets the
// details an earlier support of theirs kept.
func (s *Service) Support(ctx context.Context, id int64, sp Support) (SupportResult, error) {
	if err := sp.Contact.Validate(); err != nil {
		return SupportResult{}, err
	}
	sp.DeviceID = strings.TrimSpace(sp.DeviceID)
	if len(sp.DeviceID) > 200 {
		return SupportResult{}, problem.Invalid("device_id", problem.T("Het apparaat-id is te lang.", "The device id is too long."))
	}
	if strings.IndexFunc(sp.DeviceID, unicode.IsControl) >= 0 || !utf8.ValidString(sp.DeviceID) {
		return SupportResult{}, problem.Invalid("device_id", problem.T("Het apparaat-id bevat tekens die niet mogen.", "The device id holds characters that are not allowed."))
	}
	keys, err := sp.supporterKeys()
	if err != nil {
		return SupportResult{}, err
	}
	key := keys[0]
	hexKeys := make([]string, len(keys))
	for i, k := range keys {
		hexKeys[i] = `\x` + hex.EncodeToString(k)
	}
	res := SupportResult{JobID: id}
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		var j struct {
			ID     int64
			Status string
		}
		// Only a job that residents could have reported: the same as Nearby lists.
		if err := tx.Raw(`SELECT j.id, j.status FROM jobs j JOIN categories c ON c.code = j.category_code
WHERE j.id = ? AND c.active FOR UPDATE OF j`, id).Scan(&j).Error; err != nil {
			return err
		}
		if j.ID == 0 {
			return problem.NotFound.New(problem.T("Deze melding bestaat niet.", "This job does not exist."))
		}
		if j.Status == "done" || j.Status == "cannot_complete" || j.Status == "cancelled" {
			return problem.InvalidTransition.New(problem.T("Dit is al afgehandeld.", "This has already been dealt with."))
		}
		// Counted when none of the resident's keys supported the job before (the job's row
		// is locked, so two supports at once take turns); every key is kept.
		var known bool
		err := tx.Raw(`SELECT EXISTS (SELECT 1 FROM job_supports WHERE job_id = ? AND supporter = ANY(CAST(? AS bytea[])))`,
			id, database.TextArray(hexKeys)).Scan(&known).Error
		if err != nil {
			return err
		}
		err = tx.Exec(`INSERT INTO job_supports (job_id, supporter) SELECT ?, k FROM unnest(CAST(? AS bytea[])) AS k ON CONFLICT DO NOTHING`,
			id, database.TextArray(hexKeys)).Error
		if err != nil {
			return err
		}
		r := resident{keys: hexKeys, email: sp.Contact.Email, phone: sp.Contact.Phone, token: sp.Contact.AppToken}
		var earlier []supportContact
		if err := tx.Raw(`SELECT c.supporter, c.email, c.phone, c.app_token FROM support_contacts c
WHERE c.job_id = @job AND (c.supporter = ANY(CAST(@keys AS bytea[])) OR `+sameResidentSQL+`)
ORDER BY c.created_at, c.supporter`, r.args(id)).Scan(&earlier).Error; err != nil {
			return err
		}
		// Someone whose contact is kept is the same resident, known now another way (the
		// app's token, their e-mail address in other letters): counted once too.
		res.Counted = !known && len(earlier) == 0
		if res.Counted {
			if err := tx.Exec(`UPDATE jobs SET support_count = support_count + 1 WHERE id = ?`, id).Error; err != nil {
				return err
			}
		}
		if !sp.Contact.WantsUpdates {
			// A supporter who does not want updates (now) leaves no contact: what an earlier
			// support kept for updates goes, found by any of the ways they are known now.
			if _, err := forgetSupporter(tx, id, r); err != nil {
				return err
			}
		} else if len(earlier) == 0 {
			err := tx.Exec(`
INSERT INTO support_contacts (job_id, supporter, email, phone, app_token, lang) VALUES (?, ?, ?, ?, ?, ?)`,
				id, key, sp.Contact.Email, sp.Contact.Phone, sp.Contact.AppToken, sp.Contact.lang()).Error
			if err != nil {
				return err
			}
		} else if err := mergeSupporter(tx, id, earlier, sp.Contact); err != nil {
			return err
		}
		var counts struct{ ReportCount, SupportCount int }
		if err := tx.Raw(`SELECT report_count, support_count FROM jobs WHERE id = ?`, id).Scan(&counts).Error; err != nil {
			return err
		}
		res.ReportCount, res.SupportCount = counts.ReportCount, counts.SupportCount
		return nil
	})
	if err != nil {
		return SupportResult{}, err
	}
	n := res.ReportCount + res.SupportCount
	res.Message = fmt.Sprintf("Bedankt. Nu hebben %d bewoners dit gemeld.", n)
	res.MessageEN = fmt.Sprintf("Thank you. %d residents have now reported this.", n)
	return res, nil
}
