package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestStoredReceipt(t *testing.T) {
	created := time.Date(2026, 11, 26, 9, 30, 0, 0, time.UTC)
	f := filed{
		JobID: 7, Version: 1, Status: "assigned", TeamID: 3, TeamName: "Team Noord", ReportCount: 2,
		DueDate: "2026-12-01", ReportID: 11, TrackingCode: "ABCDE-FGHJK", CreatedAt: created, Duplicate: true,
		Area: AreaRef{Code: "BU02220101", Name: "Centrum", Kind: "neighbourhood"},
	}
	fresh := receipt("wegen.tegel", f)
	filedJSON, _ := json.Marshal(f)
	oldJSON, _ := json.Marshal(fresh) // keys stored before migration 00010 hold the receipt

	tests := []struct {
		name string
		raw  []byte
	}{
		{"filed row", filedJSON},
		{"receipt of an older version", oldJSON},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := storedReceipt("wegen.tegel", tt.raw)
			if err != nil {
				t.Fatal(err)
			}
			a, _ := json.Marshal(got)
			b, _ := json.Marshal(fresh)
			if string(a) != string(b) {
				t.Errorf("replayed receipt differs:\n got %s\nwant %s", a, b)
			}
		})
	}
	if fresh.DuplicateOf == nil || *fresh.DuplicateOf != 7 || fresh.Team == nil || fresh.Team.Name != "Team Noord" || fresh.ID != 11 {
		t.Errorf("receipt = %+v", fresh)
	}
	if _, err := storedReceipt("wegen.tegel", []byte(`not json`)); err == nil {
		t.Error("bad stored JSON gave no error")
	}
}

// An idempotency key stored before Submission had an address still matches its retry:
// an empty address does not change the submission's hash.
func TestSubmissionHashWithoutAddress(t *testing.T) {
	sub := Submission{Category: "afval.zwerfvuil", Description: "Tegel", Channel: "open311"}
	b, _ := json.Marshal(sub)
	if strings.Contains(string(b), "Address") {
		t.Errorf("an empty address is in the hashed submission: %s", b)
	}
	withAddress := sub
	withAddress.Address = "Stationsplein 1"
	if bytes.Equal(submissionHash(sub), submissionHash(withAddress)) {
		t.Error("the address does not change the hash")
	}
}
