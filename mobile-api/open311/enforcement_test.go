package open311_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"

	"wijkwerk/backend/job"
)

// An enforcement report's pin points at the neighbour the hidden address protects. In
// public answers its place is coarsened to a fixed grid of about 100 m: Open311's GET
// requests (both formats, the list, filtered and one) give the same coarse point every
// time, never the pin; the nearby list of "already reported?" leaves the job out; the
// tracking page gives no place at all. Another category's report at the same pin keeps
// its exact place, and the crew's task keeps the exact pin.
func TestEnforcementPlaceNotPublic(t *testing.T) {
	s := start(t)
	pin := orb.Point{6.292, 51.966}
	parking := s.submit(t, s.form("service_code", "overlast.parkeren", "lat", "51.966", "long", "6.292", "description", "Buurman parkeert op de stoep"))
	litter := s.submit(t, s.form("lat", "51.966", "long", "6.292"))

	var coarse orb.Point
	for _, format := range formats {
		for _, path := range []string{
			"/open311/v2/requests." + format,
			"/open311/v2/requests." + format + "?service_code=overlast.parkeren",
			"/open311/v2/requests/" + parking + "." + format,
			"/open311/v2/requests." + format + "?service_request_id=" + parking + "," + litter,
			"/open311/v2/requests/" + parking + "." + format, // again: the same point
		} {
			for _, r := range requests(t, s.get(t, path), format) {
				p := orb.Point{r.Long, r.Lat}
				switch r.ServiceRequestID {
				case parking:
					if coarse == (orb.Point{}) {
						coarse = p
					}
					if p == pin || p != coarse || geo.Distance(p, pin) > 72 {
						t.Errorf("GET %s: enforcement report at %v, want one coarse point within 72 m of the pin (first %v)", path, p, coarse)
					}
				case litter:
					if p != pin {
						t.Errorf("GET %s: litter at %v, want the pin %v", path, p, pin)
					}
				}
			}
		}
	}
	if coarse == (orb.Point{}) {
		t.Fatal("the enforcement report was in no answer")
	}

	// "Already reported?" at the pin: the litter, not the parking, with or without a category.
	var near struct {
		Jobs []struct {
			Category    string     `json:"category"`
			Coordinates [2]float64 `json:"coordinates"`
		} `json:"jobs"`
	}
	res := s.env.Do(t, "GET", "/api/v1/reports/nearby?lon=6.292&lat=51.966", nil)
	res.JSON(t, &near)
	if res.Status != http.StatusOK || len(near.Jobs) != 1 || near.Jobs[0].Category != "afval.zwerfvuil" || near.Jobs[0].Coordinates != [2]float64(pin) {
		t.Errorf("nearby = %d %s, want only the litter at the pin", res.Status, res.Body)
	}
	res = s.env.Do(t, "GET", "/api/v1/reports/nearby?lon=6.292&lat=51.966&category=overlast.parkeren", nil)
	near.Jobs = nil
	res.JSON(t, &near)
	if res.Status != http.StatusOK || len(near.Jobs) != 0 {
		t.Errorf("nearby of overlast.parkeren = %d %s, want none", res.Status, res.Body)
	}

	// The tracking page says where only by neighbourhood.
	res = s.env.Do(t, "GET", "/api/v1/reports/"+parking, nil)
	if res.Status != http.StatusOK {
		t.Fatalf("tracking = %d %s", res.Status, res.Body)
	}
	for _, place := range []string{"51.96", "6.29", "coordinates", `"lat"`, `"lon"`, "stoep"} {
		if strings.Contains(string(res.Body), place) {
			t.Errorf("tracking shows %q: %s", place, res.Body)
		}
	}

	// The crew goes to the exact pin.
	var jobID int64
	s.env.DB.Raw(`SELECT job_id FROM reports WHERE tracking_code = ?`, parking).Scan(&jobID)
	task, err := job.NewStore(s.env.DB.DB).Task(context.Background(), jobID)
	if err != nil || task.Location.Coordinates != [2]float64(pin) {
		t.Errorf("task location %v (%v), want the pin %v", task.Location.Coordinates, err, pin)
	}
}
