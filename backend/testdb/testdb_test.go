package testdb

import (
	"fmt"
	"os"
	"testing"
	"time"
)

func TestStale(t *testing.T) {
	base := "wwt_template_aaaaaaaaaaaa"
	own := clonePrefix()
	tests := []struct {
		name string
		want bool
	}{
		{base, false},
		{base + "_demo1234", false},
		{base + "_building", false},
		{"wwt_template_bbbbbbbbbbbb", true},
		{"wwt_template_bbbbbbbbbbbb_demo1234", true},
		{fmt.Sprintf("%s%d_abcdef012345", own, os.Getpid()), false},  // this process
		{own + "1_abcdef012345", false},                              // init runs
		{own + "2147483646_abcdef012345", true},                      // no such process
		{"wwt_000000_2147483646_abcdef012345", own == "wwt_000000_"}, // another host's
		{"wwt_0123456789abcdef", false},                              // named before hosts and pids
		{own + "x_abcdef012345", false},
		{"wijkwerk_dev", false},
	}
	for _, tt := range tests {
		if got := stale(tt.name, base, 2*templateIdle); got != tt.want {
			t.Errorf("stale(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
	// Another branch's template that a test used today stays.
	if stale("wwt_template_bbbbbbbbbbbb", base, time.Hour) {
		t.Error("a template of another schema used an hour ago is stale")
	}
}
