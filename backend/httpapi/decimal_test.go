package httpapi

import "testing"

func TestParseDecimal(t *testing.T) {
	tests := []struct {
		give string
		want float64
		ok   bool
	}{
		{"51.959", 51.959, true}, {"-0.5", -0.5, true}, {".5", 0.5, true}, {"6", 6, true}, {"+6.1", 6.1, true},
		{"0x1.9p2", 0, false}, {"1e2", 0, false}, {"1_000", 0, false}, {"Inf", 0, false}, {"NaN", 0, false},
		{"", 0, false}, {".", 0, false}, {"1.2.3", 0, false}, {"6,3", 0, false}, {" 6.3", 0, false},
	}
	for _, tt := range tests {
		if got, ok := ParseDecimal(tt.give); ok != tt.ok || got != tt.want {
			t.Errorf("ParseDecimal(%q) = %v, %v; want %v, %v", tt.give, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseCoordinate(t *testing.T) {
	tests := []struct {
		give string
		want float64
		ok   bool
	}{
		{"6.2905", 6.2905, true}, {"6,2905", 6.2905, true}, {"-0,5", -0.5, true}, {",5", 0.5, true}, {"51", 51, true},
		{"1,234.5", 0, false}, {"1.234,5", 0, false}, {"1,2,3", 0, false}, {",", 0, false}, {"6, 29", 0, false}, {"0x1,9p2", 0, false},
	}
	for _, tt := range tests {
		if got, ok := ParseCoordinate(tt.give); ok != tt.ok || got != tt.want {
			t.Errorf("ParseCoordinate(%q) = %v, %v; want %v, %v", tt.give, got, ok, tt.want, tt.ok)
		}
	}
}
