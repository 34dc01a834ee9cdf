package app_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"wijkwerk/backend/app"
	"wijkwerk/backend/app/apptest"
	"wijkwerk/backend/testdb"
)

// A VAPID public key as the Firebase console shows one (65 bytes, base64url).
const vapidKey = "BEl62iUYgUivxIkv69yViEuiBIa-Ib9-SkvMeAtA3LFgDzkrxZJjSgSnfckjBJuBkr3qBUYIHBQFLXYp5Nksh8U"

const webConfig = `{"apiKey":"AIzaSyExample","authDomain":"wijkwerk-prod.firebaseapp.com","projectId":"wijkwerk-prod","messagingSenderId":"123456789012","appId":"1:123456789012:web:abc123"}`

func TestConfigWebPush(t *testing.T) {
	dir := t.TempDir()
	configFile := filepath.Join(dir, "web.json")
	keyFile := filepath.Join(dir, "vapid.txt")
	if err := os.WriteFile(configFile, []byte(webConfig+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, []byte(vapidKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		give        map[string]string
		wantPush    bool
		wantProject string
		wantErr     string
	}{
		{name: "unset", give: map[string]string{}, wantProject: app.DefaultFCMProject},
		{name: "both, project from the web config",
			give:     map[string]string{"WIJKWERK_FCM_WEB_CONFIG": webConfig, "WIJKWERK_FCM_VAPID_KEY": vapidKey},
			wantPush: true, wantProject: "wijkwerk-prod"},
		{name: "from files",
			give:     map[string]string{"WIJKWERK_FCM_WEB_CONFIG_FILE": configFile, "WIJKWERK_FCM_VAPID_KEY_FILE": keyFile, "WIJKWERK_FCM_PROJECT": "wijkwerk-prod"},
			wantPush: true, wantProject: "wijkwerk-prod"},
		{name: "other project",
			give:    map[string]string{"WIJKWERK_FCM_WEB_CONFIG": webConfig, "WIJKWERK_FCM_VAPID_KEY": vapidKey, "WIJKWERK_FCM_PROJECT": "elders"},
			wantErr: `is for project "wijkwerk-prod" but WIJKWERK_FCM_PROJECT is "elders"`},
		{name: "key only", give: map[string]string{"WIJKWERK_FCM_VAPID_KEY": vapidKey}, wantErr: "set both, or neither"},
		{name: "config only", give: map[string]string{"WIJKWERK_FCM_WEB_CONFIG": webConfig}, wantErr: "set both, or neither"},
		{name: "not JSON", give: map[string]string{"WIJKWERK_FCM_WEB_CONFIG": "apiKey=x", "WIJKWERK_FCM_VAPID_KEY": vapidKey}, wantErr: "not a JSON object"},
		{name: "missing fields",
			give:    map[string]string{"WIJKWERK_FCM_WEB_CONFIG": `{"apiKey":"x","projectId":"p"}`, "WIJKWERK_FCM_VAPID_KEY": vapidKey},
			wantErr: "lacks messagingSenderId, appId"},
		{name: "bad key", give: map[string]string{"WIJKWERK_FCM_WEB_CONFIG": webConfig, "WIJKWERK_FCM_VAPID_KEY": "not-a-key"}, wantErr: "not a web push public key"},
		{name: "missing file", give: map[string]string{"WIJKWERK_FCM_WEB_CONFIG_FILE": filepath.Join(dir, "nope"), "WIJKWERK_FCM_VAPID_KEY": vapidKey}, wantErr: "WIJKWERK_FCM_WEB_CONFIG_FILE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := app.ConfigFromEnv(func(k string) string { return tt.give[k] })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (c.WebPush != nil) != tt.wantPush {
				t.Fatalf("WebPush = %+v, want set: %v", c.WebPush, tt.wantPush)
			}
			if c.FCMProject != tt.wantProject {
				t.Errorf("FCMProject = %q, want %q", c.FCMProject, tt.wantProject)
			}
			if tt.wantPush && (c.WebPush.VAPIDKey != vapidKey || c.WebPush.Config.AppID != "1:123456789012:web:abc123" || c.WebPush.Config.MessagingSenderID != "123456789012") {
				t.Errorf("WebPush = %+v", c.WebPush)
			}
		})
	}
}

func TestConfigTileURL(t *testing.T) {
	tests := []struct {
		give    string
		wantErr string
	}{
		{give: ""},
		{give: "none"},
		{give: "https://tiles.example.nl/{z}/{x}/{y}.png"},
		{give: "http://tiles.example.nl/{z}/{x}/{y}.png", wantErr: "must start with https://"},
		{give: "https://tiles.example.nl/{x}/{y}.png", wantErr: "has no {z}"},
	}
	for _, tt := range tests {
		t.Run(tt.give, func(t *testing.T) {
			env := map[string]string{"WIJKWERK_TILE_URL": tt.give, "WIJKWERK_TILE_ATTRIBUTION": "© Voorbeeld"}
			c, err := app.ConfigFromEnv(func(k string) string { return env[k] })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || c.TileURL != tt.give || c.TileAttribution != "© Voorbeeld" {
				t.Fatalf("config = %q %q, err %v", c.TileURL, c.TileAttribution, err)
			}
		})
	}
}

func TestConfigRetentions(t *testing.T) {
	const day = 24 * time.Hour
	vars := []struct {
		name string
		def  time.Duration
		get  func(app.Config) time.Duration
	}{
		{"WIJKWERK_FEED_RETENTION_DAYS", app.DefaultFeedRetentionDays * day, app.Config.FeedRetention},
		{"WIJKWERK_IDEMPOTENCY_RETENTION_DAYS", app.DefaultIdempotencyRetentionDays * day, app.Config.IdempotencyRetention},
		{"WIJKWERK_PUSH_RETENTION_DAYS", app.DefaultPushRetentionDays * day, app.Config.PushRetention},
	}
	if vars[0].def != 30*day || vars[1].def != 30*day || vars[2].def != 7*day {
		t.Errorf("defaults %v, %v and %v, want 30, 30 and 7 days", vars[0].def, vars[1].def, vars[2].def)
	}
	for _, v := range vars {
		tests := []struct {
			give    string
			want    time.Duration
			wantErr string
		}{
			{give: "", want: v.def},
			{give: "1", want: day},
			{give: "90", want: 90 * day},
			{give: "3650", want: 3650 * day},
			{give: "0", wantErr: v.name + " must be a whole number from 1 to 3650"},
			{give: "-7", wantErr: v.name},
			{give: "3651", wantErr: v.name},
			{give: "7d", wantErr: v.name},
		}
		for _, tt := range tests {
			t.Run(v.name+"="+tt.give, func(t *testing.T) {
				c, err := app.ConfigFromEnv(func(k string) string {
					if k == v.name {
						return tt.give
					}
					return ""
				})
				if tt.wantErr != "" {
					if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
						t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
					}
					return
				}
				if err != nil || v.get(c) != tt.want {
					t.Fatalf("retention = %v, want %v (err %v)", v.get(c), tt.want, err)
				}
			})
		}
		if got := v.get(app.DefaultConfig()); got != v.def {
			t.Errorf("DefaultConfig: %s retention = %v, want %v", v.name, got, v.def)
		}
	}
	// Each variable sets its own retention only.
	c, err := app.ConfigFromEnv(func(k string) string {
		return map[string]string{"WIJKWERK_IDEMPOTENCY_RETENTION_DAYS": "45", "WIJKWERK_PUSH_RETENTION_DAYS": "3"}[k]
	})
	if err != nil || c.IdempotencyRetention() != 45*day || c.PushRetention() != 3*day || c.FeedRetention() != app.DefaultFeedRetentionDays*day {
		t.Errorf("retentions %v, %v, %v (err %v), want 45 days, 3 days and the feed's default",
			c.IdempotencyRetention(), c.PushRetention(), c.FeedRetention(), err)
	}
}

// The served pages carry the configured base map.
func TestTileURLReachesTheApps(t *testing.T) {
	const url = "https://tiles.example.nl/{z}/{x}/{y}.png"
	env := apptest.Start(t, func(c *app.Config) { c.TileURL, c.TileAttribution = url, "© Voorbeeld" })
	for _, page := range []string{"/", "/crew", "/desk"} {
		res := env.Do(t, "GET", page, nil)
		if res.Status != 200 || !strings.Contains(string(res.Body), `<meta name="wijkwerk-tile-url" content="`+url+`">`) ||
			!strings.Contains(string(res.Body), "© Voorbeeld") {
			t.Errorf("GET %s = %d without the tile URL: %.500s", page, res.Status, res.Body)
		}
	}
}

// An empty environment is the defaults, and nothing else.
func TestConfigDefaults(t *testing.T) {
	c, err := app.ConfigFromEnv(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if want := app.DefaultConfig(); !reflect.DeepEqual(c, want) {
		t.Errorf("ConfigFromEnv(empty) = %+v, want DefaultConfig() %+v", c, want)
	}
}

// WIJKWERK_OPEN311_KEY_RATE_LIMIT sets the Open311 clients' budget per key, apart from
// the per-address limit; 0 turns it off, and a number that is none is refused.
func TestConfigOpen311KeyRateLimit(t *testing.T) {
	tests := []struct {
		give    string
		want    int
		wantErr bool
	}{
		{give: "", want: app.DefaultOpen311KeyRateLimit},
		{give: "1200", want: 1200},
		{give: "0", want: 0},
		{give: "-1", wantErr: true},
		{give: "veel", wantErr: true},
	}
	for _, tt := range tests {
		c, err := app.ConfigFromEnv(func(k string) string {
			return map[string]string{"WIJKWERK_OPEN311_KEY_RATE_LIMIT": tt.give, "WIJKWERK_RATE_LIMIT": "7"}[k]
		})
		switch {
		case tt.wantErr && (err == nil || !strings.Contains(err.Error(), "WIJKWERK_OPEN311_KEY_RATE_LIMIT")):
			t.Errorf("%q: err = %v, want one naming WIJKWERK_OPEN311_KEY_RATE_LIMIT", tt.give, err)
		case !tt.wantErr && (err != nil || c.Open311KeyRateLimit != tt.want || c.RateLimit != 7):
			t.Errorf("%q: key limit %d, address limit %d (%v), want %d and 7", tt.give, c.Open311KeyRateLimit, c.RateLimit, err, tt.want)
		}
	}
}

func TestConfigTrustedProxies(t *testing.T) {
	c, err := app.ConfigFromEnv(func(k string) string {
		return map[string]string{"WIJKWERK_TRUSTED_PROXIES": " 10.0.0.0/8, 2001:db8::/32 "}[k]
	})
	if err != nil || len(c.TrustedProxies) != 2 || c.TrustedProxies[0].String() != "10.0.0.0/8" || c.TrustedProxies[1].String() != "2001:db8::/32" {
		t.Errorf("proxies = %v (err %v)", c.TrustedProxies, err)
	}
	_, err = app.ConfigFromEnv(func(k string) string { return map[string]string{"WIJKWERK_TRUSTED_PROXIES": "10.0.0.1"}[k] })
	if err == nil || !strings.Contains(err.Error(), `"10.0.0.1" is not a network`) {
		t.Errorf("a bare address: err = %v", err)
	}
}

// An instance does not start on a schema its migrations have not reached: it says to
// run `wijkwerk migrate`.
func TestNewRefusesAnOldSchema(t *testing.T) {
	db := testdb.New(t)
	if err := db.Exec(`DELETE FROM goose_db_version WHERE version_id = (SELECT max(version_id) FROM goose_db_version)`).Error; err != nil {
		t.Fatal(err)
	}
	cfg := app.DefaultConfig()
	cfg.DatabaseURL = db.URL
	_, err := app.New(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err == nil || !strings.Contains(err.Error(), "run `wijkwerk migrate` first") {
		t.Errorf("New on an old schema: err = %v", err)
	}
}

// TestConfigMistakes: settings that would start a server that then fails quietly (every
// push, say) stop it at once with a message naming the setting.
func TestConfigMistakes(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	url := filepath.Join(dir, "url")
	os.WriteFile(empty, []byte("\n"), 0o600)
	os.WriteFile(url, []byte("postgres://x@localhost/db\n"), 0o600)
	tests := []struct {
		name    string
		give    map[string]string
		wantErr string
	}{
		{"endpoint without scheme", map[string]string{"WIJKWERK_FCM_ENDPOINT": "127.0.0.1:8089"}, "WIJKWERK_FCM_ENDPOINT must be an http(s) URL"},
		{"endpoint ftp", map[string]string{"WIJKWERK_FCM_ENDPOINT": "ftp://x"}, "WIJKWERK_FCM_ENDPOINT must be an http(s) URL"},
		{"endpoint fine", map[string]string{"WIJKWERK_FCM_ENDPOINT": "http://127.0.0.1:8089"}, ""},
		{"empty secret file", map[string]string{"WIJKWERK_DATABASE_URL_FILE": empty}, "WIJKWERK_DATABASE_URL_FILE: " + empty + " is empty"},
		{"both set", map[string]string{"WIJKWERK_DATABASE_URL": "postgres://y@localhost/db", "WIJKWERK_DATABASE_URL_FILE": url}, "both set"},
		{"file only", map[string]string{"WIJKWERK_DATABASE_URL_FILE": url}, ""},
		{"credentials missing", map[string]string{"GOOGLE_APPLICATION_CREDENTIALS": filepath.Join(dir, "nope.json")}, "GOOGLE_APPLICATION_CREDENTIALS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := app.ConfigFromEnv(func(k string) string { return tt.give[k] })
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

// An instance whose push credentials cannot be used does not start: its crews would get
// no tasks on their phones. Without any push settings it starts, push waiting.
func TestNewRefusesBadPushCredentials(t *testing.T) {
	db := testdb.New(t)
	bad := filepath.Join(t.TempDir(), "service-account.json")
	os.WriteFile(bad, []byte(`{"type": "service_account", "project_id": 12}`), 0o600)
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", bad)
	cfg := app.DefaultConfig()
	cfg.DatabaseURL, cfg.GoogleCredentials, cfg.FCMEndpoint = db.URL, bad, ""
	if a, err := app.New(context.Background(), cfg, slog.New(slog.DiscardHandler)); err == nil {
		a.Close()
		t.Error("New started with unusable push credentials")
	}
}

// The mail settings: the SMTP URL also from a file, a sender needed with it, a public
// URL for the tracking links (http://ADDR without one), and errors that never repeat the
// SMTP password.
func TestConfigMail(t *testing.T) {
	urlFile := filepath.Join(t.TempDir(), "smtp-url")
	if err := os.WriteFile(urlFile, []byte("smtp://user:geheim@mail.example.nl:587\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	from := "Wijkwerk <noreply@example.nl>"
	tests := []struct {
		name         string
		give         map[string]string
		wantSMTP     string
		wantTracking string
		wantErr      string
	}{
		{name: "off", give: map[string]string{}, wantTracking: "http://127.0.0.1:8080"},
		{name: "on", give: map[string]string{"WIJKWERK_SMTP_URL": "smtp://127.0.0.1:2525", "WIJKWERK_MAIL_FROM": from,
			"WIJKWERK_PUBLIC_URL": "https://wijkwerk.example.nl/"},
			wantSMTP: "smtp://127.0.0.1:2525", wantTracking: "https://wijkwerk.example.nl"},
		{name: "from a file", give: map[string]string{"WIJKWERK_SMTP_URL_FILE": urlFile, "WIJKWERK_MAIL_FROM": from, "WIJKWERK_ADDR": "0.0.0.0:9000"},
			wantSMTP: "smtp://user:geheim@mail.example.nl:587", wantTracking: "http://localhost:9000"},
		{name: "no sender", give: map[string]string{"WIJKWERK_SMTP_URL": "smtp://user:geheim@mail.example.nl"}, wantErr: "WIJKWERK_MAIL_FROM is not set"},
		{name: "bad sender", give: map[string]string{"WIJKWERK_SMTP_URL": "smtp://h", "WIJKWERK_MAIL_FROM": "noreply"}, wantErr: "WIJKWERK_MAIL_FROM must be an address"},
		{name: "bad scheme", give: map[string]string{"WIJKWERK_SMTP_URL": "mailto://user:geheim@h", "WIJKWERK_MAIL_FROM": from}, wantErr: "smtp:// or smtps://"},
		{name: "both", give: map[string]string{"WIJKWERK_SMTP_URL": "smtp://h", "WIJKWERK_SMTP_URL_FILE": urlFile, "WIJKWERK_MAIL_FROM": from}, wantErr: "both set"},
		{name: "bad public URL", give: map[string]string{"WIJKWERK_PUBLIC_URL": "wijkwerk.example.nl"}, wantErr: "WIJKWERK_PUBLIC_URL must be"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := app.ConfigFromEnv(func(k string) string { return tt.give[k] })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || strings.Contains(err.Error(), "geheim") {
					t.Fatalf("err = %v, want one containing %q and not the password", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.SMTPURL != tt.wantSMTP || c.TrackingBase() != tt.wantTracking {
				t.Errorf("SMTPURL = %q, TrackingBase = %q; want %q, %q", c.SMTPURL, c.TrackingBase(), tt.wantSMTP, tt.wantTracking)
			}
		})
	}
}
