package open311

import (
	"net/url"
	"reflect"
	"testing"
	"time"

	"wijkwerk/backend/job"
	"wijkwerk/backend/problem"
	"wijkwerk/backend/report"
)

func TestParseW3C(t *testing.T) {
	ams := job.Amsterdam
	tests := []struct {
		give string
		end  bool
		want time.Time
		bad  bool
	}{
		{give: "2026-11-26T10:15:00+01:00", want: time.Date(2026, 11, 26, 10, 15, 0, 0, ams)},
		{give: "2026-11-26T10:15:00 01:00", want: time.Date(2026, 11, 26, 10, 15, 0, 0, ams)}, // + sent unencoded
		{give: "2026-11-26T09:15:00Z", want: time.Date(2026, 11, 26, 10, 15, 0, 0, ams)},
		{give: "2026-11-26T10:15:00.250+01:00", want: time.Date(2026, 11, 26, 10, 15, 0, 250e6, ams)},
		{give: "2026-11-26T10:15+01:00", want: time.Date(2026, 11, 26, 10, 15, 0, 0, ams)},
		{give: "2026-07-01", want: time.Date(2026, 7, 1, 0, 0, 0, 0, ams)},
		{give: "2026-07-01", end: true, want: time.Date(2026, 7, 1, 23, 59, 59, 999999000, ams)},
		{give: "2026-11-26T10:15:00", bad: true}, // the spec requires a time zone
		{give: "26-11-2026", bad: true},
		{give: "2026-02-30T00:00:00Z", bad: true},
		{give: "", bad: true},
	}
	for _, tt := range tests {
		got, err := parseW3C(tt.give, tt.end)
		if tt.bad {
			if err == nil {
				t.Errorf("parseW3C(%q) = %v, want an error", tt.give, got)
			}
			continue
		}
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("parseW3C(%q, %v) = %v, %v; want %v", tt.give, tt.end, got, err, tt.want)
		}
	}
}

func TestWindow(t *testing.T) {
	now := time.Date(2026, 11, 26, 10, 15, 0, 0, job.Amsterdam)
	day := 24 * time.Hour
	tests := []struct {
		name, start, end string
		from, to         time.Time
		bad              bool
	}{
		{name: "none: last 90 days", from: now.Add(-90 * day), to: now},
		{name: "start only", start: "2026-01-01T00:00:00Z", from: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), to: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)},
		{name: "end only", end: "2026-04-01T00:00:00Z", from: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), to: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)},
		{name: "exactly 90 days", start: "2026-01-01T00:00:00Z", end: "2026-04-01T00:00:00Z",
			from: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), to: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)},
		{name: "a second more", start: "2026-01-01T00:00:00Z", end: "2026-04-01T00:00:01Z", bad: true},
		{name: "end before start", start: "2026-02-01T00:00:00Z", end: "2026-01-31T23:59:59Z", bad: true},
		{name: "same instant", start: "2026-02-01T00:00:00Z", end: "2026-02-01T00:00:00Z",
			from: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), to: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)},
		{name: "bad start", start: "yesterday", bad: true},
		{name: "bad end", end: "tomorrow", bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from, to, err := window(tt.start, tt.end, now)
			if tt.bad {
				if p, ok := problem.As(err); !ok || p.Status != 400 {
					t.Errorf("error %v, want a 400 problem", err)
				}
				return
			}
			if err != nil || !from.Equal(tt.from) || !to.Equal(tt.to) {
				t.Errorf("window = %v, %v, %v; want %v, %v", from, to, err, tt.from, tt.to)
			}
		})
	}
}

func TestParseFilter(t *testing.T) {
	now := time.Date(2026, 11, 26, 10, 15, 0, 0, job.Amsterdam)
	open, closed := true, false
	last90 := report.RequestFilter{From: now.Add(-maxWindow), To: now, Limit: 1000}
	with := func(f func(*report.RequestFilter)) report.RequestFilter {
		r := last90
		f(&r)
		return r
	}
	tests := []struct {
		give string
		want report.RequestFilter
		bad  bool
	}{
		{give: "", want: last90},
		{give: "service_request_id=A,+b+,,C&status=nope&start_date=bad", want: report.RequestFilter{TrackingCodes: []string{"A", "b", "C"}}},
		{give: "service_code=a.b,c.d", want: with(func(f *report.RequestFilter) { f.Categories = []string{"a.b", "c.d"} })},
		{give: "status=open", want: with(func(f *report.RequestFilter) { f.Open = &open })},
		{give: "status=Closed", want: with(func(f *report.RequestFilter) { f.Open = &closed })},
		{give: "status=open,closed", want: last90},
		{give: "page_size=10&page=3", want: with(func(f *report.RequestFilter) { f.Limit, f.Offset = 10, 20 })},
		{give: "status=pending", bad: true},
		{give: "page_size=1001", bad: true},
		{give: "page=0", bad: true},
		{give: "page=100001", bad: true},
	}
	for _, tt := range tests {
		q, _ := url.ParseQuery(tt.give)
		got, err := parseFilter(q, now)
		if tt.bad {
			if err == nil {
				t.Errorf("parseFilter(%q) = %+v, want an error", tt.give, got)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseFilter(%q) = %+v, %v\nwant %+v", tt.give, got, err, tt.want)
		}
	}
}

func TestAllowedMethods(t *testing.T) {
	tests := map[string]string{
		"services.json":                "GET",
		"services.xml":                 "GET",
		"discovery.json":               "GET",
		"requests.xml":                 "GET, POST",
		"requests/ABCDE-12345.json":    "GET",
		"tokens/x.xml":                 "GET",
		"services/afval.zwerfvuil.xml": "GET",
		"services/.xml":                "",
		"services/a/b.xml":             "",
		"services":                     "",
		"nope.json":                    "",
	}
	for give, want := range tests {
		if got := allowedMethods(give); got != want {
			t.Errorf("allowedMethods(%q) = %q, want %q", give, got, want)
		}
	}
}
