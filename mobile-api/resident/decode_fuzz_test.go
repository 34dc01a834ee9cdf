package resident

import (
	"testing"

	"wijkwerk/backend/database"
	"wijkwerk/backend/problem"
)

// FuzzDecodeReport checks that any body either decodes into a valid submission or gives a
// problem, never a panic or an untyped error.
func FuzzDecodeReport(f *testing.F) {
	f.Add([]byte(`{"category":"afval.zwerfvuil","location":{"type":"Point","coordinates":[6.2967,51.959]}}`))
	f.Add([]byte(`{"category":"a","location":{"type":"Point","coordinates":[6.2967,51.959,12]},"contact":{"email":"a@b.nl","wants_updates":true}}`))
	f.Add([]byte(`{"location":{"type":"Point","coordinates":[]}}`))
	f.Add([]byte(`{"answers":{"state":"uit"},"description":"\u0000"}`))
	f.Add([]byte(`{"category":"a","location":{"type":"Point","coordinates":[6.29,51.96]},"description":"a\u0000b"}`))
	f.Add([]byte(`[1,2,3]`))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, body []byte) {
		sub, err := decodeReport(body)
		if err != nil {
			if _, ok := problem.As(err); !ok {
				t.Fatalf("error is not a problem: %v", err)
			}
			return
		}
		if err := sub.Validate(); err != nil {
			t.Fatalf("decoded submission does not validate: %v", err)
		}
		// What is accepted can be stored: no text PostgreSQL refuses (that would be a 500
		// and fail the report's whole group), and an app report says so.
		ok := database.Text(sub.Description) && database.Text(sub.Contact.AppToken) && sub.Channel == "app"
		for k, v := range sub.Answers {
			ok = ok && database.Text(k) && database.Text(v)
		}
		if !ok {
			t.Fatalf("accepted a submission the database cannot store: %+v", sub)
		}
	})
}
