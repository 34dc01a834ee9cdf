package open311_test

import (
	"net/http"
	"slices"
	"testing"
)

// GET requests with lat and long keeps the requests within radius metres (500 without
// one) of the point, with the other filters. Enforcement reports are left out, as the
// resident app's nearby list leaves them out: a radius around a chosen point would find
// their pin, whatever coarse point the answer showed.
func TestGetRequestsAroundPoint(t *testing.T) {
	s := start(t)
	station := s.submit(t, s.form())                                                                     // 51.9590, 6.2967
	north300 := s.submit(t, s.form("service_code", "wegen.tegel", "lat", "51.9617", "long", stationLon)) // ~300 m north
	north2k := s.submit(t, s.form("lat", "51.9770", "long", stationLon))                                 // ~2 km north
	parking := s.submit(t, s.form("service_code", "overlast.parkeren", "description", "Buurman parkeert op de stoep"))
	if parking == "" {
		t.Fatal("no enforcement report")
	}
	at := "lat=" + stationLat + "&long=" + stationLon

	tests := []struct {
		name  string
		query string
		want  []string
	}{
		{"default radius", at, []string{station, north300}},
		{"small radius", at + "&radius=100", []string{station}},
		{"decimal radius", at + "&radius=350.5", []string{station, north300}},
		{"largest radius", at + "&radius=5000", []string{station, north300, north2k}},
		{"with service_code", at + "&radius=5000&service_code=wegen.tegel", []string{north300}},
		{"with status", at + "&status=closed", nil},
		{"only the enforcement category", at + "&service_code=overlast.parkeren", nil},
		{"far away", "lat=52.3731&long=4.8922&radius=5000", nil},
		{"ids override the point", "service_request_id=" + north2k + "&" + at + "&radius=10", []string{north2k}},
		{"empty values are no point", "lat=&long=", []string{station, north300, north2k, parking}},
	}
	for _, tt := range tests {
		for _, format := range formats {
			t.Run(tt.name+"/"+format, func(t *testing.T) {
				got := ids(requests(t, s.get(t, "/open311/v2/requests."+format+"?"+tt.query), format))
				slices.Sort(got)
				want := slices.Sorted(slices.Values(tt.want))
				if !slices.Equal(got, want) {
					t.Errorf("got %v, want %v", got, want)
				}
			})
		}
	}
}

// A point that is half given, or a number that is none or out of range, is a 400 that
// says which parameter and why, in Open311's format.
func TestGetRequestsAroundPointErrors(t *testing.T) {
	s := start(t)
	tests := []struct {
		name  string
		query string
		want  string
	}{
		{"lat alone", "lat=51.959", "long ontbreekt"},
		{"long alone", "long=6.2967", "lat ontbreekt"},
		{"long alone with radius", "long=6.2967&radius=100", "lat ontbreekt"},
		{"radius alone", "radius=100", "radius werkt alleen samen met lat en long"},
		{"lat not a number", "lat=abc&long=6.2967", "lat moet een getal van -90 tot 90 zijn"},
		{"lat with comma", "lat=51,959&long=6.2967", "lat moet een getal"},
		{"lat NaN", "lat=NaN&long=6.2967", "lat moet een getal"},
		{"lat too far north", "lat=90.5&long=6.2967", "lat moet een getal"},
		{"lat overflows", "lat=1e400&long=6.2967", "lat moet een getal"},
		{"long infinite", "lat=51.959&long=Inf", "long moet een getal van -180 tot 180 zijn"},
		{"long hexadecimal", "lat=51.959&long=0x6p0", "long moet een getal"},
		{"long out of range", "lat=51.959&long=-180.01", "long moet een getal"},
		{"radius zero", "lat=51.959&long=6.2967&radius=0", "radius moet een getal groter dan 0 en hoogstens 5000 zijn"},
		{"radius negative", "lat=51.959&long=6.2967&radius=-5", "radius moet een getal"},
		{"radius too large", "lat=51.959&long=6.2967&radius=5000.1", "radius moet een getal"},
		{"radius not a number", "lat=51.959&long=6.2967&radius=ver", "radius moet een getal"},
		{"radius NaN", "lat=51.959&long=6.2967&radius=NaN", "radius moet een getal"},
	}
	for _, tt := range tests {
		for _, format := range formats {
			t.Run(tt.name+"/"+format, func(t *testing.T) {
				wantError(t, s.get(t, "/open311/v2/requests."+format+"?"+tt.query), format, http.StatusBadRequest, tt.want)
			})
		}
	}
	res := s.get(t, "/open311/v2/requests.json?lat=51.959&long=6.2967&radius=9000", "Accept-Language", "en")
	wantError(t, res, "json", http.StatusBadRequest, "radius must be a number above 0 and at most 5000: metres around lat and long.")
	res = s.get(t, "/open311/v2/requests.json?lat=51.959", "Accept-Language", "en")
	wantError(t, res, "json", http.StatusBadRequest, "Give lat and long together, or neither. long is missing.")
}
