package app

import (
	"errors"
	"fmt"
	"net"
	netmail "net/mail"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"wijkwerk/backend/mail"
	"wijkwerk/mobile-api/web"
)

// Config is every setting of Wijkwerk, read from the environment in one place.
type Config struct {
	// DatabaseURL is the PostgreSQL URL (WIJKWERK_DATABASE_URL, or a file named by
	// WIJKWERK_DATABASE_URL_FILE).
	DatabaseURL string
	// Addr is where the HTTP server listens (WIJKWERK_ADDR).
	Addr string
	// FCMEndpoint is the FCM API base URL; empty means Google (WIJKWERK_FCM_ENDPOINT).
	FCMEndpoint string
	// GoogleCredentials is the Firebase service account file for Google's FCM
	// (GOOGLE_APPLICATION_CREDENTIALS, which the Firebase SDK reads itself).
	GoogleCredentials string
	// FCMProject is the Firebase project id (WIJKWERK_FCM_PROJECT).
	FCMProject string
	// PhotoDir is where photos are stored (WIJKWERK_PHOTO_DIR).
	PhotoDir string
	// ContactRetentionDays is how long residents' contact details are kept after their
	// job closes (WIJKWERK_CONTACT_RETENTION_DAYS).
	ContactRetentionDays int
	// FeedRetentionDays is how long the crews' task feed keeps a change; a phone that
	// has not synced for longer gets a full sync (WIJKWERK_FEED_RETENTION_DAYS).
	FeedRetentionDays int
	// IdempotencyRetentionDays is how long an Idempotency-Key is remembered: a retry
	// within it gets the first answer, and phones queue requests while offline and may
	// retry them days later (WIJKWERK_IDEMPOTENCY_RETENTION_DAYS).
	IdempotencyRetentionDays int
	// PushRetentionDays is how long a finished push (sent, given up or expired) and its
	// deliveries are kept (WIJKWERK_PUSH_RETENTION_DAYS).
	PushRetentionDays int
	// RateLimit is public writes per address per minute; 0 turns limiting off
	// (WIJKWERK_RATE_LIMIT).
	RateLimit int
	// Open311KeyRateLimit is POST requests per Open311 client (api_key) per minute, counted
	// per key rather than per address; 0 turns it off (WIJKWERK_OPEN311_KEY_RATE_LIMIT).
	Open311KeyRateLimit int
	// PushTTL is how long a push may stay undelivered before it is dropped
	// (WIJKWERK_PUSH_TTL, a Go duration such as 12h).
	PushTTL time.Duration
	// WebPush lets the crew app register for web push through FCM: the Firebase web
	// app's configuration (WIJKWERK_FCM_WEB_CONFIG, JSON) and the VAPID public key
	// (WIJKWERK_FCM_VAPID_KEY), each also from a file (_FILE). Nil when neither is set:
	// then the crew app does nothing push-related.
	WebPush *web.Push
	// TileURL is the base map's tile URL template with {z}, {x} and {y}, over https
	// (WIJKWERK_TILE_URL); empty means PDOK's BRT-Achtergrondkaart, "none" no base map.
	TileURL string
	// TileAttribution is the base map's credit line (WIJKWERK_TILE_ATTRIBUTION).
	TileAttribution string
	// SMTPURL is the SMTP server that residents' e-mail updates go through,
	// smtp://[user:pass@]host[:port] (STARTTLS when the server offers it) or smtps://
	// (WIJKWERK_SMTP_URL, or a file named by WIJKWERK_SMTP_URL_FILE). Empty: mail is
	// off, and no mail is queued.
	SMTPURL string
	// MailFrom is the sender of those e-mails, an address with an optional name such as
	// "Wijkwerk Doetinchem <noreply@doetinchem.nl>" (WIJKWERK_MAIL_FROM); needed when
	// SMTPURL is set.
	MailFrom string
	// PublicURL is where residents reach the PWA, for the tracking links in e-mails
	// (WIJKWERK_PUBLIC_URL); empty means http://ADDR, right for a local demo only.
	PublicURL string
	// TrustedProxies are the networks of the proxies (load balancers) in front of the
	// server (WIJKWERK_TRUSTED_PROXIES, CIDRs separated by commas): a request from one
	// of them is counted for the rate limits by the address X-Forwarded-For gives.
	// Without them the address is the connection's, and X-Forwarded-For is ignored.
	TrustedProxies []*net.IPNet
}

// Defaults for settings that may be left out.
const (
	DefaultAddr                     = "127.0.0.1:8080"
	DefaultContactRetentionDays     = 30
	DefaultFeedRetentionDays        = 30
	DefaultIdempotencyRetentionDays = 30
	DefaultPushRetentionDays        = 7
	DefaultRateLimit                = 60
	DefaultOpen311KeyRateLimit      = 600
	DefaultPhotoDir                 = "./.data/photos"
	DefaultFCMProject               = "wijkwerk-demo"
	DefaultPushTTL                  = 24 * time.Hour
)

// DefaultConfig is the configuration with every setting at its default: what
// ConfigFromEnv starts from, and what tests start from before they change a setting.
func DefaultConfig() Config {
	return Config{
		Addr:                     DefaultAddr,
		ContactRetentionDays:     DefaultContactRetentionDays,
		FeedRetentionDays:        DefaultFeedRetentionDays,
		IdempotencyRetentionDays: DefaultIdempotencyRetentionDays,
		PushRetentionDays:        DefaultPushRetentionDays,
		RateLimit:                DefaultRateLimit,
		Open311KeyRateLimit:      DefaultOpen311KeyRateLimit,
		PhotoDir:                 DefaultPhotoDir,
		FCMProject:               DefaultFCMProject,
		PushTTL:                  DefaultPushTTL,
	}
}

// ConfigFromEnv reads the configuration with getenv (os.Getenv in the binary) and
// validates it. A secret may come from a file named by the variable plus _FILE.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	c := DefaultConfig()
	var errs []error
	secret := func(name string) string {
		v, f := getenv(name), getenv(name+"_FILE")
		switch {
		case v != "" && f != "":
			errs = append(errs, fmt.Errorf("%s and %s_FILE are both set: set one", name, name))
			return ""
		case v != "":
			return v
		case f != "":
			b, err := os.ReadFile(f)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s_FILE: %w", name, err))
				return ""
			}
			if v = strings.TrimSpace(string(b)); v == "" {
				errs = append(errs, fmt.Errorf("%s_FILE: %s is empty", name, f))
			}
			return v
		}
		return ""
	}
	str := func(name string, dst *string) {
		if v := getenv(name); v != "" {
			*dst = v
		}
	}
	num := func(name string, dst *int, lo, hi int) {
		v := getenv(name)
		if v == "" {
			return
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			errs = append(errs, fmt.Errorf("%s must be a whole number from %d to %d, not %q", name, lo, hi, v))
			return
		}
		*dst = n
	}
	if v := getenv("WIJKWERK_PUSH_TTL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			errs = append(errs, fmt.Errorf("WIJKWERK_PUSH_TTL must be a duration such as 12h, not %q", v))
		} else {
			c.PushTTL = d
		}
	}
	c.DatabaseURL = secret("WIJKWERK_DATABASE_URL")
	str("WIJKWERK_ADDR", &c.Addr)
	str("GOOGLE_APPLICATION_CREDENTIALS", &c.GoogleCredentials)
	if c.GoogleCredentials != "" {
		// Read by the Firebase SDK; a wrong path would only disable push, quietly.
		if _, err := os.ReadFile(c.GoogleCredentials); err != nil {
			errs = append(errs, fmt.Errorf("GOOGLE_APPLICATION_CREDENTIALS: %w", err))
		}
	}
	str("WIJKWERK_FCM_ENDPOINT", &c.FCMEndpoint)
	if c.FCMEndpoint != "" {
		// A typo here (no scheme) would start fine and then fail every push.
		if u, err := url.Parse(c.FCMEndpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("WIJKWERK_FCM_ENDPOINT must be an http(s) URL such as http://127.0.0.1:8089, not %q", c.FCMEndpoint))
		}
	}
	str("WIJKWERK_FCM_PROJECT", &c.FCMProject)
	// Not secrets, but long enough to keep in a file: read like one.
	push, err := web.ParsePush(secret("WIJKWERK_FCM_WEB_CONFIG"), secret("WIJKWERK_FCM_VAPID_KEY"))
	switch {
	case err != nil:
		errs = append(errs, fmt.Errorf("WIJKWERK_FCM_WEB_CONFIG / WIJKWERK_FCM_VAPID_KEY: %w", err))
	case push != nil && getenv("WIJKWERK_FCM_PROJECT") == "":
		// The phones' tokens belong to the web app's project; the server sends there.
		c.FCMProject = push.Config.ProjectID
	case push != nil && push.Config.ProjectID != c.FCMProject:
		errs = append(errs, fmt.Errorf("WIJKWERK_FCM_WEB_CONFIG is for project %q but WIJKWERK_FCM_PROJECT is %q: the server can only push to tokens of its own project",
			push.Config.ProjectID, c.FCMProject))
	}
	c.WebPush = push
	str("WIJKWERK_TILE_URL", &c.TileURL)
	str("WIJKWERK_TILE_ATTRIBUTION", &c.TileAttribution)
	if err := validTileURL(c.TileURL); err != nil {
		errs = append(errs, fmt.Errorf("WIJKWERK_TILE_URL: %w", err))
	}
	str("WIJKWERK_PHOTO_DIR", &c.PhotoDir)
	c.SMTPURL = secret("WIJKWERK_SMTP_URL")
	str("WIJKWERK_MAIL_FROM", &c.MailFrom)
	str("WIJKWERK_PUBLIC_URL", &c.PublicURL)
	if err := c.validMail(); err != nil {
		errs = append(errs, err)
	}
	for _, cidr := range strings.Split(getenv("WIJKWERK_TRUSTED_PROXIES"), ",") {
		if cidr = strings.TrimSpace(cidr); cidr == "" {
			continue
		}
		_, ipNet, err := net.ParseCIDR(cidr)
		if err != nil {
			errs = append(errs, fmt.Errorf("WIJKWERK_TRUSTED_PROXIES: %q is not a network such as 10.0.0.0/8", cidr))
			continue
		}
		c.TrustedProxies = append(c.TrustedProxies, ipNet)
	}
	num("WIJKWERK_CONTACT_RETENTION_DAYS", &c.ContactRetentionDays, 0, 3650)
	num("WIJKWERK_FEED_RETENTION_DAYS", &c.FeedRetentionDays, 1, 3650)
	num("WIJKWERK_IDEMPOTENCY_RETENTION_DAYS", &c.IdempotencyRetentionDays, 1, 3650)
	num("WIJKWERK_PUSH_RETENTION_DAYS", &c.PushRetentionDays, 1, 3650)
	num("WIJKWERK_RATE_LIMIT", &c.RateLimit, 0, 1_000_000)
	num("WIJKWERK_OPEN311_KEY_RATE_LIMIT", &c.Open311KeyRateLimit, 0, 1_000_000)
	if err := errors.Join(errs...); err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	return c, nil
}

// validMail checks the mail settings: a mistake there would start fine and then fail
// every mail, or send links that lead nowhere.
func (c Config) validMail() error {
	var errs []error
	if c.SMTPURL != "" {
		// mail.ParseURL's errors never repeat the URL, which may hold a password.
		if _, err := mail.ParseURL(c.SMTPURL); err != nil {
			errs = append(errs, fmt.Errorf("WIJKWERK_SMTP_URL: %w", err))
		}
		if c.MailFrom == "" {
			errs = append(errs, errors.New("WIJKWERK_MAIL_FROM is not set: with WIJKWERK_SMTP_URL, say who the e-mails come from, e.g. Wijkwerk <noreply@example.nl>"))
		}
	}
	if c.MailFrom != "" {
		if _, err := netmail.ParseAddress(c.MailFrom); err != nil {
			errs = append(errs, fmt.Errorf("WIJKWERK_MAIL_FROM must be an address such as Wijkwerk <noreply@example.nl>, not %q", c.MailFrom))
		}
	}
	if c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("WIJKWERK_PUBLIC_URL must be an http(s) URL such as https://wijkwerk.example.nl, not %q", c.PublicURL))
		}
	}
	return errors.Join(errs...)
}

// TrackingBase is the PWA's public URL, under which a report's tracking page is
// /volg/CODE: PublicURL, or http://ADDR when it is not set.
func (c Config) TrackingBase() string {
	if c.PublicURL != "" {
		return strings.TrimRight(c.PublicURL, "/")
	}
	host, port, err := net.SplitHostPort(c.Addr)
	if err != nil {
		return "http://" + c.Addr
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// validTileURL accepts "", "none", or an https URL template with {z}, {x} and {y}: the
// apps load tiles only over https (their content security policy says so).
func validTileURL(u string) error {
	if u == "" || u == "none" {
		return nil
	}
	if !strings.HasPrefix(u, "https://") {
		return fmt.Errorf("must start with https:// (or be none), not %q", u)
	}
	for _, p := range []string{"{z}", "{x}", "{y}"} {
		if !strings.Contains(u, p) {
			return fmt.Errorf("%q has no %s", u, p)
		}
	}
	return nil
}

// RequireDatabase checks that a database URL is set.
func (c Config) RequireDatabase() error {
	if c.DatabaseURL == "" {
		return errors.New("config: WIJKWERK_DATABASE_URL is not set (make run sets it for a local PostGIS)")
	}
	return nil
}

// ContactRetention is how long contact details are kept after a job closes.
func (c Config) ContactRetention() time.Duration { return days(c.ContactRetentionDays) }

// FeedRetention is how long the task feed keeps a change.
func (c Config) FeedRetention() time.Duration { return days(c.FeedRetentionDays) }

// IdempotencyRetention is how long an Idempotency-Key is remembered.
func (c Config) IdempotencyRetention() time.Duration { return days(c.IdempotencyRetentionDays) }

// PushRetention is how long a finished push and its deliveries are kept.
func (c Config) PushRetention() time.Duration { return days(c.PushRetentionDays) }

func days(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }
