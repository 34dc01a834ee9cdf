package database

import "testing"

func TestArrays(t *testing.T) {
	tests := []struct {
		give func() string
		want string
	}{
		{func() string { return Int64Array(nil) }, "{}"},
		{func() string { return Int64Array([]int64{1, -2, 30}) }, "{1,-2,30}"},
		{func() string { return Float64Array([]float64{1.5, 0.25, 24, 1e-7}) }, "{1.5,0.25,24,1e-07}"},
		{func() string { return TextArray([]string{"a", `b"c`, `d\e`, ""}) }, `{"a","b\"c","d\\e",""}`},
	}
	for _, tt := range tests {
		if got := tt.give(); got != tt.want {
			t.Errorf("got %s, want %s", got, tt.want)
		}
	}
}
