// Package app wires Wijkwerk together: configuration, database, area index, domain
// services and HTTP handlers. The binary and the integration tests start it the same way.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	netmail "net/mail"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"gorm.io/gorm"

	"wijkwerk/backend/access"
	"wijkwerk/backend/category"
	"wijkwerk/backend/database"
	"wijkwerk/backend/deskapi"
	"wijkwerk/backend/httpapi"
	"wijkwerk/backend/idempotency"
	"wijkwerk/backend/initiative"
	"wijkwerk/backend/job"
	"wijkwerk/backend/mail"
	"wijkwerk/backend/photo"
	"wijkwerk/backend/planner"
	"wijkwerk/backend/problem"
	"wijkwerk/backend/push"
	"wijkwerk/backend/ratelimit"
	"wijkwerk/backend/report"
	"wijkwerk/backend/routing"
	"wijkwerk/backend/worker"
	"wijkwerk/geo"
	"wijkwerk/migrations"
	"wijkwerk/mobile-api/crew"
	residentinitiatives "wijkwerk/mobile-api/initiatives"
	"wijkwerk/mobile-api/open311"
	"wijkwerk/mobile-api/resident"
	"wijkwerk/mobile-api/web"
)

// App is one running Wijkwerk instance.
type App struct {
	Config Config
	DB     *gorm.DB
	Areas  *geo.Live
	// Desk holds the authenticated desk route groups, for the desk features to register on.
	Desk    deskapi.Groups
	log     *slog.Logger
	limiter *ratelimit.Limiter
	pusher  *push.Worker
	mailer  *mail.Worker // nil: mail is off
	photos  *photo.Store
	workers *worker.Store // crew credentials, cached while it listens for changes
	echo    *echo.Echo
	stop    context.CancelFunc
	done    chan struct{}
}

// New opens the database and builds the services and the HTTP handler. Call Start to
// load the area index and run the background work, and Close at the end.
func New(ctx context.Context, cfg Config, log *slog.Logger) (*App, error) {
	db, err := OpenDB(ctx, cfg)
	if err != nil {
		return nil, err
	}
	a := &App{Config: cfg, DB: db, log: log, done: make(chan struct{})}
	a.Areas = geo.NewLive(geo.NewStore(db), log)
	updates, err := a.mail(cfg)
	if err != nil {
		database.Close(db)
		return nil, err
	}

	categories := category.NewStore(db)
	jobs := job.NewStore(db)
	router := routing.New(a.Areas, db)
	categoryCache := category.NewCache(categories, 30*time.Second)
	reports := report.NewService(db, categoryCache, router, jobs, cfg.PushTTL)
	photoStore, err := photo.NewStore(cfg.PhotoDir)
	if err != nil {
		database.Close(db)
		return nil, fmt.Errorf("app: photo dir: %w", err)
	}
	a.photos = photoStore
	photos := photo.NewPool(photoStore, photo.DefaultLimits(), runtime.GOMAXPROCS(0))

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.IPExtractor = ipExtractor(cfg.TrustedProxies)
	e.HTTPErrorHandler = httpapi.ErrorHandler(log)
	e.Pre(httpapi.HeadAsGet)
	e.Use(middleware.RequestID())
	e.Use(middleware.Recover())
	e.Use(a.accessLog)

	e.GET("/healthz", func(c echo.Context) error { return c.JSON(http.StatusOK, map[string]string{"status": "ok"}) })
	e.GET("/readyz", a.ready)
	e.GET("/problems/:type", problemDoc)

	api := e.Group("/api/v1")
	// One limit, three sets of buckets: public writes (reports, Open311, initiatives),
	// desk sign-in and crew pairing each count apart per address, so many residents
	// behind one address cannot lock planners or crews out. An Open311 client with a valid
	// api_key counts per key instead, by a limit of its own (in the same table, which
	// the limiter's prune keeps small).
	limiter := ratelimit.New(db, cfg.RateLimit)
	a.limiter = limiter
	resident.New(reports, categoryCache, photos, httpapi.RateLimit(limiter)).Register(api)
	open311.New(reports, categoryCache, photos, log, httpapi.RateLimit(limiter)).
		LimitKeys(ratelimit.New(db, cfg.Open311KeyRateLimit)).Register(e.Group("/open311/v2"))
	a.workers = worker.NewStore(db)
	crew.New(a.workers, jobs, job.NewService(db, jobs, updates), photos, httpapi.RateLimitAs(limiter, "pair")).Register(e.Group("/mobile/v1"))

	a.Desk = deskapi.New(db, access.NewStore(db), httpapi.RateLimitAs(limiter, "signin")).Register(api)
	deskapi.RegisterCategories(a.Desk, categories, categoryCache)
	deskapi.RegisterPlanner(a.Desk, db, a.workers, photos.Store(), updates)
	deskapi.RegisterRebalance(a.Desk, db, updates)
	initiatives := initiative.NewService(db, cfg.PushTTL)
	residentinitiatives.New(initiatives, httpapi.RateLimit(limiter)).Register(api)
	deskapi.RegisterInitiatives(a.Desk, initiatives)

	web.RegisterWith(e, web.Options{Push: cfg.WebPush, TileURL: cfg.TileURL, TileAttribution: cfg.TileAttribution})
	a.echo = e

	// Push: through the fake FCM when an endpoint is set, else Google with the
	// credentials of GOOGLE_APPLICATION_CREDENTIALS. Without either, the outbox waits.
	client, err := push.NewClient(ctx, cfg.FCMEndpoint, cfg.FCMProject)
	switch {
	case err != nil && (cfg.FCMEndpoint != "" || cfg.GoogleCredentials != ""):
		// Push was asked for: crews would silently get no tasks on their phones.
		a.Close()
		return nil, err
	case err != nil:
		log.Warn("push disabled: no FCM client", "err", err)
	default:
		a.pusher = push.NewWorker(db, client, log, push.Options{})
	}
	return a, nil
}

// mail sets up residents' e-mail updates: a worker that sends through the SMTP server of
// cfg.SMTPURL, and Updates that queue mail. Without a server mail is off, and it says
// so once: residents who give an e-mail address then get no e-mail, and none is queued.
func (a *App) mail(cfg Config) (job.Updates, error) {
	updates := job.Updates{PushTTL: cfg.PushTTL}
	if cfg.SMTPURL == "" {
		a.log.Info("mail off: WIJKWERK_SMTP_URL is not set, so residents get no e-mail updates and none are queued")
		return updates, nil
	}
	sender, err := mail.ParseURL(cfg.SMTPURL)
	if err != nil {
		return updates, fmt.Errorf("app: WIJKWERK_SMTP_URL: %w", err)
	}
	from, err := netmail.ParseAddress(cfg.MailFrom)
	if err != nil {
		return updates, fmt.Errorf("app: WIJKWERK_MAIL_FROM: %w", err)
	}
	a.mailer = mail.NewWorker(a.DB, sender, from, cfg.TrackingBase(), a.log, mail.Options{})
	updates.MailTTL = mail.TTL
	a.log.Info("mail on", "smtp", sender.Addr(), "tracking", cfg.TrackingBase())
	return updates, nil
}

// OpenDB opens the configured database after checking that its schema is migrated: a
// server or an operator's command on an older schema would fail on a missing table or
// PostGIS function, so it says to run `wijkwerk migrate` instead.
func OpenDB(ctx context.Context, cfg Config) (*gorm.DB, error) {
	if err := cfg.RequireDatabase(); err != nil {
		return nil, err
	}
	db, err := database.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	sqlDB, err := db.DB()
	if err == nil {
		err = migrations.Check(ctx, sqlDB)
	}
	if err != nil {
		database.Close(db)
		return nil, err
	}
	return db, nil
}

// Handler is the HTTP handler of the whole API.
func (a *App) Handler() http.Handler { return a.echo }

// Start loads the area index and starts the background work (the listeners for area and
// credential changes, the push worker, daily pushes and housekeeping).
func (a *App) Start(ctx context.Context) error {
	if err := a.Areas.Reload(ctx); err != nil {
		return err
	}
	bg, stop := context.WithCancel(context.Background())
	a.stop = stop
	var wg sync.WaitGroup
	// One listening connection for the area index, the crews' credential cache and the
	// push worker.
	listeners := []database.Listener{a.Areas.Listener(), a.workers.CredentialListener()}
	if a.pusher != nil {
		listeners = append(listeners, a.pusher.Listener())
		wg.Go(func() { a.pusher.Run(bg) })
	}
	if a.mailer != nil {
		wg.Go(func() { a.mailer.Run(bg) })
	}
	wg.Go(func() { database.Listen(bg, a.Config.DatabaseURL, a.log, listeners...) })
	wg.Go(func() { planner.RunDaily(bg, a.DB, a.log, a.Config.PushTTL) })
	wg.Go(func() { a.housekeeping(bg) })
	go func() {
		wg.Wait()
		close(a.done)
	}()
	return nil
}

// chore is a housekeeping task: it runs at start and then every interval, and says how
// many rows it removed.
type chore struct {
	name  string
	every time.Duration
	run   func(ctx context.Context) (removed int64, err error)
	last  time.Time
}

// housekeeping erases residents' contact details once the retention period allows it
// and removes photos nothing refers to (at start and then daily), prunes the crews' task feed, old idempotency keys and
// finished pushes and expired desk sessions (at start and then hourly) and old rate-limit windows (every minute).
// All are idempotent, so every replica may run them.
func (a *App) housekeeping(ctx context.Context) {
	chores := []*chore{
		{name: "erasing contact details", every: 24 * time.Hour, run: func(ctx context.Context) (int64, error) {
			return EraseContacts(ctx, a.DB, a.Config.ContactRetention())
		}},
		{name: "pruning the task feed", every: time.Hour, run: func(ctx context.Context) (int64, error) {
			return job.PruneFeed(ctx, a.DB, a.Config.FeedRetention())
		}},
		{name: "pruning idempotency keys", every: time.Hour, run: func(ctx context.Context) (int64, error) {
			return idempotency.Prune(ctx, a.DB, time.Now().Add(-a.Config.IdempotencyRetention()), idempotency.PruneBatch)
		}},
		{name: "pruning finished pushes", every: time.Hour, run: func(ctx context.Context) (int64, error) {
			n, err := push.Prune(ctx, a.DB, time.Now().Add(-a.Config.PushRetention()), push.PruneBatch)
			return n.Outbox + n.Deliveries, err
		}},
		{name: "pruning finished mails", every: time.Hour, run: func(ctx context.Context) (int64, error) {
			return mail.Prune(ctx, a.DB, time.Now().Add(-a.Config.PushRetention()), mail.PruneBatch)
		}},
		{name: "pruning expired desk sessions", every: time.Hour, run: func(ctx context.Context) (int64, error) {
			return access.NewStore(a.DB).PruneSessions(ctx, time.Now())
		}},
		{name: "removing unused photos", every: 24 * time.Hour, run: func(ctx context.Context) (int64, error) {
			return a.SweepPhotos(ctx, time.Now().Add(-photoSweepAge))
		}},
	}
	minute := time.NewTicker(time.Minute)
	defer minute.Stop()
	for {
		for _, c := range chores {
			if time.Since(c.last) < c.every {
				continue
			}
			n, err := c.run(ctx)
			switch {
			case err != nil && ctx.Err() != nil:
				return
			case err != nil:
				a.log.Error(c.name+" failed", "err", err, "removed", n)
			default:
				c.last = time.Now()
				if n > 0 {
					a.log.Info(c.name, "removed", n)
				}
			}
		}
		if err := a.limiter.Prune(ctx); err != nil && ctx.Err() == nil {
			a.log.Warn("pruning rate limits failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-minute.C:
		}
	}
}

// Serve listens on the configured address until ctx ends, then shuts down gracefully.
func (a *App) Serve(ctx context.Context) error {
	ln, err := net.Listen("tcp", a.Config.Addr)
	if err != nil {
		return fmt.Errorf("app: listen: %w", err)
	}
	srv := &http.Server{
		Handler:           a.echo,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	a.log.Info("wijkwerk listening", "addr", "http://"+ln.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Close stops the background work and closes the database.
func (a *App) Close() error {
	if a.stop != nil {
		a.stop()
		<-a.done
	}
	return database.Close(a.DB)
}

func (a *App) ready(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	sqlDB, err := a.DB.DB()
	if err == nil {
		err = sqlDB.PingContext(ctx)
	}
	if err != nil {
		return problem.Unavailable.Wrap(err, problem.T("De database is niet bereikbaar.", "The database is not reachable."))
	}
	ix := a.Areas.Index()
	if ix == nil {
		return problem.Unavailable.New(problem.T("De gebieden zijn nog niet geladen.", "The areas are not loaded yet."))
	}
	// Whether the crew credential cache listens (worker.AuthChannel) is shown, not
	// required: without it every crew request checks its credential in the database.
	return c.JSON(http.StatusOK, map[string]any{"status": "ready", "areas": ix.Len(), "credential_cache": a.workers.Caching()})
}

// ipExtractor says whose address a request is, for the rate limits: the connection's;
// behind the proxies of trusted, the one X-Forwarded-For gives (the nearest address
// that is not one of the proxies). Trusting it without proxies would let anyone dodge
// the limits with a made-up header.
func ipExtractor(trusted []*net.IPNet) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range trusted {
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// accessLog logs one line per request: no bodies and no query strings, which may hold
// personal data.
func (a *App) accessLog(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		status := c.Response().Status
		if status >= 500 || a.log.Enabled(c.Request().Context(), slog.LevelDebug) {
			a.log.Info("request", "method", httpapi.Method(c), "route", c.Path(), "status", status,
				"ms", float64(time.Since(start).Microseconds())/1000, "request_id", c.Response().Header().Get(echo.HeaderXRequestID))
		}
		return nil
	}
}

// ProblemKinds are the problem types a client can meet, each explained at
// GET /problems/{type}: the core ones and those of the domain packages.
func ProblemKinds() []problem.Kind {
	return slices.Concat(problem.Kinds(), initiative.Kinds(), planner.Kinds(), job.Kinds(), worker.Kinds())
}

// problemDoc explains a problem type to a developer who follows its URI.
func problemDoc(c echo.Context) error {
	for _, k := range ProblemKinds() {
		if k.Type == c.Param("type") {
			lang := httpapi.Lang(c)
			about := k.About
			if about == (problem.Text{}) {
				about = k.Title
			}
			return c.JSON(http.StatusOK, map[string]any{"type": "/problems/" + k.Type, "status": k.Status,
				"title": k.Title.In(lang), "about": about.In(lang)})
		}
	}
	return problem.NotFound.New(problem.T("Dit soort fout bestaat niet.", "No such problem type."))
}

// photoSweepAge is how old an unused photo must be before the sweep removes it: far
// longer than a request between saving a photo and attaching it takes.
const photoSweepAge = 24 * time.Hour

// SweepPhotos removes the photos saved before cutoff that no job refers to: those of
// requests that were refused after their photos were saved, or that died halfway.
func (a *App) SweepPhotos(ctx context.Context, cutoff time.Time) (int64, error) {
	return a.photos.Sweep(ctx, cutoff, job.NewStore(a.DB).PhotosInUse)
}

// EraseContacts erases residents' contact details of reports and of initiatives that the
// retention period allows to erase now. The server runs it daily; `wijkwerk
// erase-contacts` runs it by hand.
func EraseContacts(ctx context.Context, db *gorm.DB, retention time.Duration) (int64, error) {
	n, err := report.EraseContacts(ctx, db, retention)
	if err != nil {
		return 0, err
	}
	m, err := initiative.EraseContacts(ctx, db, retention)
	return n + m, err
}
