// Command wijkwerk is the one Wijkwerk binary: the server and the operators' tools.
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // due dates use Europe/Amsterdam on any machine

	"golang.org/x/term"
	"gorm.io/gorm"

	"wijkwerk/backend/access"
	"wijkwerk/backend/app"
	"wijkwerk/backend/category"
	"wijkwerk/backend/database"
	"wijkwerk/backend/demo"
	"wijkwerk/backend/mail/fakesmtp"
	"wijkwerk/backend/plaintext"
	"wijkwerk/backend/push/fakefcm"
	"wijkwerk/backend/report"
	"wijkwerk/backend/team"
	"wijkwerk/backend/worker"
	"wijkwerk/geo"
	"wijkwerk/migrations"
	"wijkwerk/mobile-api/open311"
)

const usage = `wijkwerk — field work orders for a municipal wijkbedrijf

Usage:
  wijkwerk COMMAND [flags]

Commands:
  serve               start the HTTP API (and the background workers)
  migrate             apply the database migrations
  import-areas FILE   import area polygons from GeoJSON, gzipped or not, FILE - for
                      standard input (code/name/kind/parent, or CBS
                      gemeentecode/wijkcode/buurtcode properties; WGS84 or RD New);
                      invalid polygons are repaired; re-import updates in place
                      (and brings back a retired area)
  retire-areas CODE [CODE...]
                      take areas that no longer exist (a CBS redivision) out of
                      routing, each with every area under it; their jobs and reports
                      keep them; prints the codes retired
  categories load [--replace] [FILE]
                      load the report categories (from FILE, a categories.json tree,
                      or the built-in list): adds the missing ones; --replace also
                      sets the existing ones to the file (undoing desk edits)
  seed-demo           load the Doetinchem demo (areas, categories, teams); safe to
                      repeat; for a demo only: it resets the demo's areas and teams
  team create --code CODE --name NAME --serves AREA:DEPARTMENT[,...]
                      add a team (or rename one) and the areas it serves per
                      department (wijkbeheer, afval, accommodaties, stedelijk_beheer,
                      handhaving), e.g. --serves GM0363:wijkbeheer,WK036301:afval;
                      prints the team id
  worker create --team ID|CODE --role ROLE --name NAME
                      add a crew member (role: specialist, trainee, seconded,
                      enforcement); prints the worker id
  worker deactivate WORKER
                      end a crew member's access at once (a worker id): their phones
                      are unpaired and get no pushes; their hours stay
  worker reactivate WORKER
                      give a crew member access again; a phone needs a new
                      pairing code (pairing-code WORKER)
  user create --email E --role planner|jobcoach|admin [--areas GM0222,...]
                      add or update a desk user; reads the password from stdin;
                      a planner or job coach needs --areas, an admin (who sees
                      every municipality) takes none
  user deactivate --email E
                      end a desk user's access at once (sessions and sign-in)
  open311-key create NAME
                      add an Open311 client (an app that files reports through
                      /open311/v2); prints its api_key, which is shown only once
  open311-key list    list the clients' keys (id, name, created, revoked; never a key)
  open311-key revoke ID
                      stop a client's key from working (a leaked key)
  pairing-code WORKER print a fresh pairing code (valid 15 minutes) for a worker's phone
  erase-contacts      erase residents' contact details that the retention period
                      (WIJKWERK_CONTACT_RETENTION_DAYS) allows to erase now
  fake-fcm [--addr HOST:PORT]
                      run a local fake of the FCM HTTP v1 API (default 127.0.0.1:8089):
                      POST /v1/projects/P/messages:send, GET /messages, POST /fail, POST /reset
  fake-smtp [--addr HOST:PORT] [--http HOST:PORT]
                      run a local fake SMTP server (default 127.0.0.1:2525) that keeps the
                      e-mails it accepts instead of delivering them, logs one line per mail
                      (address masked), and lists them at GET /messages on --http (default
                      127.0.0.1:8025); POST /fail {"code":451,"count":1}, POST /reset
  help                show this text

Configuration (environment):
  WIJKWERK_DATABASE_URL            PostgreSQL URL (or WIJKWERK_DATABASE_URL_FILE)
  WIJKWERK_ADDR                    listen address (default 127.0.0.1:8080)
  WIJKWERK_FCM_ENDPOINT            FCM API base URL; empty means Google
  WIJKWERK_FCM_PROJECT             Firebase project id (default: the web config's, else wijkwerk-demo)
  WIJKWERK_PHOTO_DIR               where photos are stored
  WIJKWERK_CONTACT_RETENTION_DAYS  days to keep residents' contact details (default 30)
  WIJKWERK_FEED_RETENTION_DAYS     days the crews' task feed keeps a change; a phone that
                                   has not synced for longer gets a full sync (default 30)
  WIJKWERK_IDEMPOTENCY_RETENTION_DAYS
                                   days an Idempotency-Key is remembered; a retry within
                                   it gets the first answer (default 30)
  WIJKWERK_PUSH_RETENTION_DAYS     days a finished push and its deliveries are kept (default 7)
  WIJKWERK_RATE_LIMIT              public writes per address per minute (default 60, 0 = off)
  WIJKWERK_OPEN311_KEY_RATE_LIMIT  Open311 POSTs per api_key per minute, counted per key
                                   instead of per address (default 600, 0 = off)
  WIJKWERK_TRUSTED_PROXIES         networks of the load balancers in front, e.g. 10.0.0.0/8:
                                   behind them the address is X-Forwarded-For's
  WIJKWERK_PUSH_TTL                how long a push may wait undelivered (default 24h)
  WIJKWERK_SMTP_URL                SMTP server for residents' e-mail updates:
                                   smtp://[user:pass@]host[:port] (STARTTLS when offered;
                                   port 587) or smtps:// (port 465); empty = mail off, and
                                   no mail is queued (or WIJKWERK_SMTP_URL_FILE)
  WIJKWERK_MAIL_FROM               sender of those e-mails, e.g. Wijkwerk <noreply@example.nl>
                                   (needed with WIJKWERK_SMTP_URL)
  WIJKWERK_PUBLIC_URL              where residents reach the app, for the tracking links in
                                   e-mails, e.g. https://wijkwerk.example.nl (default
                                   http://WIJKWERK_ADDR, right for a local demo only)
  WIJKWERK_FCM_WEB_CONFIG          Firebase web app config as JSON {apiKey, projectId,
                                   messagingSenderId, appId}: crew phones get web push
                                   (with WIJKWERK_FCM_VAPID_KEY; or ..._FILE)
  WIJKWERK_FCM_VAPID_KEY           the web push certificate's public key (base64url)
  WIJKWERK_TILE_URL                base map tiles, https://…/{z}/{x}/{y}.png (default: PDOK
                                   BRT-Achtergrondkaart; none = no base map)
  WIJKWERK_TILE_ATTRIBUTION        the base map's credit line
  GOOGLE_APPLICATION_CREDENTIALS   Firebase service account, when talking to Google

Flags (override the environment):
  --database-url URL
  --addr HOST:PORT    (serve, fake-fcm, fake-smtp)
  --http HOST:PORT    (fake-smtp: where it lists the e-mails)
`

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	slog.SetDefault(log) // what logs through package slog (the desk's unpairing) looks the same
	if err := run(os.Args[1:], log); err != nil {
		fmt.Fprintln(os.Stderr, "wijkwerk:", err)
		os.Exit(1)
	}
}

func run(args []string, log *slog.Logger) error {
	if len(args) == 0 {
		fmt.Print(usage)
		return errors.New("no command given")
	}
	cmd, args := args[0], args[1:]
	if cmd == "help" || cmd == "-h" || cmd == "--help" {
		fmt.Print(usage)
		return nil
	}
	cfg, err := app.ConfigFromEnv(os.Getenv)
	if err != nil {
		return err
	}
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(fs.Output(), usage) }
	fs.StringVar(&cfg.DatabaseURL, "database-url", cfg.DatabaseURL, "PostgreSQL URL")
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "listen address")
	teamFlag := fs.String("team", "", "team id or code (worker create)")
	codeFlag := fs.String("code", "", "team code (team create)")
	servesFlag := fs.String("serves", "", "AREA:DEPARTMENT,... the team serves (team create)")
	roleFlag := fs.String("role", "", "worker role (worker create)")
	nameFlag := fs.String("name", "", "worker or team name (worker create, team create)")
	if cmd == "fake-fcm" {
		cfg.Addr = "127.0.0.1:8089"
	}
	if cmd == "fake-smtp" {
		cfg.Addr = "127.0.0.1:2525"
	}
	httpFlag := fs.String("http", "127.0.0.1:8025", "where fake-smtp lists the e-mails it accepted")
	emailFlag := fs.String("email", "", "e-mail address (user create)")
	areasFlag := fs.String("areas", "", "comma-separated area codes (user create)")
	sub := ""
	replaceFlag := fs.Bool("replace", false, "also update existing categories (categories load)")
	if cmd == "worker" || cmd == "user" || cmd == "open311-key" || cmd == "team" || cmd == "categories" {
		if len(args) > 0 {
			sub = args[0]
		}
		if cmd == "categories" && sub != "load" {
			return errors.New("usage: wijkwerk categories load [--replace] [FILE]")
		}
		if cmd != "categories" && sub != "create" && !(cmd == "open311-key" && (sub == "list" || sub == "revoke")) && !((cmd == "user" || cmd == "worker") && sub == "deactivate") &&
			!(cmd == "worker" && sub == "reactivate") {
			if cmd == "worker" {
				return errors.New("usage: wijkwerk worker create|deactivate|reactivate ... (see wijkwerk help)")
			}
			return fmt.Errorf("usage: wijkwerk %s create ... (see wijkwerk help)", cmd)
		}
		args = args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()

	switch cmd {
	case "serve":
		return serve(ctx, cfg, log)
	case "migrate":
		return migrate(ctx, cfg)
	case "import-areas":
		if fs.NArg() != 1 {
			return errors.New("usage: wijkwerk import-areas FILE")
		}
		return importAreas(ctx, cfg, fs.Arg(0), log)
	case "retire-areas":
		if fs.NArg() == 0 {
			return errors.New("usage: wijkwerk retire-areas CODE [CODE...]")
		}
		return retireAreas(ctx, cfg, fs.Args())
	case "categories":
		if fs.NArg() > 1 {
			return errors.New("usage: wijkwerk categories load [--replace] [FILE]")
		}
		return loadCategories(ctx, cfg, fs.Arg(0), *replaceFlag)
	case "seed-demo":
		return seedDemo(ctx, cfg, log)
	case "worker":
		if sub == "deactivate" || sub == "reactivate" {
			if fs.NArg() != 1 {
				return fmt.Errorf("usage: wijkwerk worker %s WORKER", sub)
			}
			return setWorkerActive(ctx, cfg, fs.Arg(0), sub == "reactivate")
		}
		return createWorker(ctx, cfg, *teamFlag, *roleFlag, *nameFlag)
	case "team":
		return createTeam(ctx, cfg, *codeFlag, *nameFlag, *servesFlag)
	case "user":
		if sub == "deactivate" {
			return deactivateUser(ctx, cfg, *emailFlag)
		}
		return createUser(ctx, cfg, *emailFlag, *roleFlag, *areasFlag)
	case "open311-key":
		return open311Key(ctx, cfg, sub, fs.Args())
	case "pairing-code":
		if fs.NArg() != 1 {
			return errors.New("usage: wijkwerk pairing-code WORKER")
		}
		return pairingCode(ctx, cfg, fs.Arg(0))
	case "erase-contacts":
		db, err := openDB(ctx, cfg)
		if err != nil {
			return err
		}
		defer database.Close(db)
		n, err := app.EraseContacts(ctx, db, cfg.ContactRetention())
		if err != nil {
			return err
		}
		fmt.Printf("%d contact records erased\n", n)
		return nil
	case "fake-fcm":
		return fakefcm.ListenAndServe(ctx, cfg.Addr, log)
	case "fake-smtp":
		return fakesmtp.ListenAndServe(ctx, cfg.Addr, *httpFlag, log)
	}
	fmt.Fprint(os.Stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

func serve(ctx context.Context, cfg app.Config, log *slog.Logger) error {
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.Start(ctx); err != nil {
		return err
	}
	return a.Serve(ctx)
}

func migrate(ctx context.Context, cfg app.Config) error {
	if err := cfg.RequireDatabase(); err != nil {
		return err
	}
	db, err := database.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer database.Close(db)
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	return migrations.Up(ctx, sqlDB)
}

// progressOut returns stderr when it is a terminal, so progress bars show only there.
func progressOut() io.Writer {
	if term.IsTerminal(int(os.Stderr.Fd())) {
		return os.Stderr
	}
	return nil
}

func importAreas(ctx context.Context, cfg app.Config, path string, log *slog.Logger) error {
	if err := cfg.RequireDatabase(); err != nil {
		return err
	}
	f := os.Stdin // "-": read the file from standard input (a pipe from curl or gunzip)
	if path != "-" {
		var err error
		if f, err = os.Open(path); err != nil {
			return err
		}
		defer f.Close()
	}
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer database.Close(db)
	res, err := geo.NewStore(db).Import(ctx, f, geo.ImportOptions{Progress: progressOut()})
	if err != nil {
		return err
	}
	log.Info("areas imported", "file", path, "inserted", res.Inserted, "updated", res.Updated, "repaired", res.Repaired)
	return nil
}

func retireAreas(ctx context.Context, cfg app.Config, codes []string) error {
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer database.Close(db)
	for i := range codes {
		codes[i] = strings.TrimSpace(codes[i])
	}
	retired, err := geo.NewStore(db).Retire(ctx, codes)
	if err != nil {
		return err
	}
	if len(retired) == 0 {
		fmt.Println("nothing to retire: these areas were retired before")
		return nil
	}
	fmt.Printf("%d areas retired: %s\n", len(retired), strings.Join(retired, " "))
	return nil
}

// loadCategories loads the category tree of path (or the built-in one, the same as the
// demo's: the categories are the same in every municipality).
func loadCategories(ctx context.Context, cfg app.Config, path string, replace bool) error {
	var (
		raw []byte
		err error
	)
	if path == "" {
		raw, err = demo.File("categories.json")
	} else {
		raw, err = os.ReadFile(path)
	}
	if err != nil {
		return err
	}
	cats, err := category.ParseTree(bytes.NewReader(raw))
	if err != nil {
		return err
	}
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer database.Close(db)
	store := category.NewStore(db)
	if replace {
		if err := store.Upsert(ctx, cats); err != nil {
			return err
		}
		fmt.Printf("%d categories loaded (new ones added, existing ones set to the file)\n", len(cats))
		return nil
	}
	added, err := store.AddMissing(ctx, cats)
	if err != nil {
		return err
	}
	fmt.Printf("%d categories added, %d already there and left as they are\n", added, len(cats)-added)
	return nil
}

func seedDemo(ctx context.Context, cfg app.Config, log *slog.Logger) error {
	if err := cfg.RequireDatabase(); err != nil {
		return err
	}
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer database.Close(db)
	return demo.Seed(ctx, db, log, progressOut())
}

// openDB opens the database for an operator's command (see app.OpenDB).
func openDB(ctx context.Context, cfg app.Config) (*gorm.DB, error) { return app.OpenDB(ctx, cfg) }

func createWorker(ctx context.Context, cfg app.Config, teamArg, roleArg, name string) error {
	role, err := worker.ParseRole(roleArg)
	if err != nil {
		return err
	}
	return printID(ctx, cfg, func(db *gorm.DB) (int64, error) {
		t, err := team.NewStore(db).Find(ctx, teamArg)
		if err != nil {
			return 0, err
		}
		w, err := worker.NewStore(db).Create(ctx, t.ID, role, name)
		return w.ID, err
	})
}

// printID runs a command's work on the database and prints the id it made.
func printID(ctx context.Context, cfg app.Config, work func(db *gorm.DB) (int64, error)) error {
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer database.Close(db)
	id, err := work(db)
	if err != nil {
		return err
	}
	fmt.Println(id)
	return nil
}

// createTeam adds a team (or renames one and adds what it serves): the areas and
// departments it takes the jobs of, for a municipality other than the demo's.
func createTeam(ctx context.Context, cfg app.Config, code, name, serves string) error {
	code, name = strings.TrimSpace(code), plaintext.Name(name) // residents read the name
	if code == "" || name == "" {
		return errors.New("usage: wijkwerk team create --code CODE --name NAME --serves AREA:DEPARTMENT[,...]")
	}
	services, err := team.ParseServices(serves)
	if err != nil {
		return err
	}
	return printID(ctx, cfg, func(db *gorm.DB) (int64, error) {
		store := team.NewStore(db)
		// One team per area and department: say which work moves from another team.
		var taken []string
		for _, sv := range services {
			if prev, ok, err := store.ServedBy(ctx, sv); err != nil {
				return 0, err
			} else if ok && prev.Code != code {
				taken = append(taken, fmt.Sprintf("%s:%s was served by %s (%s)", sv.AreaCode, sv.Department, prev.Name, prev.Code))
			}
		}
		t, err := store.Ensure(ctx, team.Team{Code: code, Name: name}, services)
		if err == nil {
			for _, m := range taken {
				fmt.Fprintf(os.Stderr, "wijkwerk: %s; new jobs there now go to %s\n", m, name)
			}
		}
		return t.ID, err
	})
}

func pairingCode(ctx context.Context, cfg app.Config, arg string) error {
	return withWorker(ctx, cfg, arg, func(db *gorm.DB, id int64) error {
		pc, err := worker.NewStore(db).IssuePairingCode(ctx, id, "cli")
		if err != nil {
			return err
		}
		fmt.Printf("%s\nQR: %s\nvalid until %s\n", pc.Code, pc.QR, pc.ExpiresAt.Format(time.RFC3339))
		return nil
	})
}

// withWorker runs fn with the database and the worker id that arg names.
func withWorker(ctx context.Context, cfg app.Config, arg string, fn func(db *gorm.DB, id int64) error) error {
	id, err := strconv.ParseInt(arg, 10, 64)
	if err != nil {
		return fmt.Errorf("WORKER must be a worker id, not %q", arg)
	}
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer database.Close(db)
	return fn(db, id)
}

// setWorkerActive ends a crew member's access at once (worker.Store.Deactivate), or gives
// it back (Reactivate), and says whether it changed anything.
func setWorkerActive(ctx context.Context, cfg app.Config, arg string, active bool) error {
	return withWorker(ctx, cfg, arg, func(db *gorm.DB, id int64) error {
		store := worker.NewStore(db)
		change, done, already := store.Deactivate, "deactivated", "was already inactive"
		if active {
			change, done, already = store.Reactivate, "reactivated (pair a phone with a new code)", "was already active"
		}
		changed, err := change(ctx, id)
		if errors.Is(err, worker.ErrNotFound) {
			return fmt.Errorf("no worker %d", id)
		}
		if err != nil {
			return err
		}
		if changed {
			fmt.Printf("worker %d %s\n", id, done)
		} else {
			fmt.Printf("worker %d %s\n", id, already)
		}
		return nil
	})
}

// deactivateUser ends a desk user's access at once: their sessions and their sign-in.
func deactivateUser(ctx context.Context, cfg app.Config, email string) error {
	if strings.TrimSpace(email) == "" {
		return errors.New("usage: wijkwerk user deactivate --email E")
	}
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer database.Close(db)
	return access.NewStore(db).Deactivate(ctx, email)
}

func createUser(ctx context.Context, cfg app.Config, email, roleArg, areas string) error {
	role, err := access.ParseRole(roleArg)
	if err != nil {
		return err
	}
	if term.IsTerminal(int(os.Stdin.Fd())) {
		fmt.Fprint(os.Stderr, "Password: ")
	}
	line, err := bufio.NewReader(os.Stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	password := strings.TrimRight(line, "\r\n")
	var codes []string
	for _, c := range strings.Split(areas, ",") {
		if c = strings.TrimSpace(c); c != "" {
			codes = append(codes, c)
		}
	}
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer database.Close(db)
	var existed bool
	if err := db.WithContext(ctx).Raw(`SELECT EXISTS (SELECT 1 FROM desk_users WHERE email = lower(trim(?)))`, email).Scan(&existed).Error; err != nil {
		return err
	}
	u, err := access.NewStore(db).CreateUser(ctx, email, password, role, codes)
	if err != nil {
		return err
	}
	if existed {
		// Not silently: the user's password, role and areas were replaced.
		fmt.Fprintf(os.Stderr, "wijkwerk: %s existed: its password, role and areas are replaced, and its open sessions ended\n", u.Email)
	}
	fmt.Println(u.ID)
	return nil
}

// open311Key creates an Open311 client's key (printed once), lists the keys (never the
// keys themselves), or revokes one.
func open311Key(ctx context.Context, cfg app.Config, sub string, args []string) error {
	usage := map[string]string{"create": "create NAME", "list": "list", "revoke": "revoke ID"}[sub]
	want := 1
	if sub == "list" {
		want = 0
	}
	if len(args) != want {
		return fmt.Errorf("usage: wijkwerk open311-key %s", usage)
	}
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer database.Close(db)
	switch sub {
	case "create":
		key, err := open311.CreateKey(ctx, db, args[0])
		if err != nil {
			return err
		}
		fmt.Println(key)
	case "list":
		keys, err := report.ListOpen311Keys(ctx, db)
		if err != nil {
			return err
		}
		for _, k := range keys {
			state := "active"
			if k.RevokedAt != nil {
				state = "revoked " + k.RevokedAt.UTC().Format(time.RFC3339)
			}
			fmt.Printf("%d\t%s\tcreated %s\t%s\n", k.ID, k.Name, k.CreatedAt.UTC().Format(time.RFC3339), state)
		}
	case "revoke":
		id, err := strconv.ParseInt(args[0], 10, 64)
		if err != nil {
			return fmt.Errorf("ID must be a key's id (see wijkwerk open311-key list), not %q", args[0])
		}
		return report.RevokeOpen311Key(ctx, db, id)
	}
	return nil
}
