/* cmd-setup: `nprof setup` installs a gdb nprof can drive under the
 * per-user root (install.h describes its layout).
 *
 * What to install is a manifest entry (manifest.h) or the bundle given by
 * --from with --sha256.  A bundle is a tarball of a relocatable gdb tree:
 * everything under one top-level directory, which is then the tree (what
 * setup/build-gdb-bundle makes), or the tree itself at the top, which is
 * what bin/gdb at the top means.  A source entry is built (build.h) for
 * the final --prefix=ROOT/versions/VERSION and installed into staging, so
 * the tree lands where it was configured for; gdb finds its data directory
 * relative to its binary (the default --with-gdb-datadir lies under the
 * prefix), so the tree keeps working if ROOT moves.
 *
 * A version that is installed already is reported, not fetched again.
 * Otherwise the plan is shown and, unless --yes, confirmed on a terminal.
 * The work happens under the install lock in a staging dir that any failure
 * or signal removes; only install_commit() changes what `current` is. */
#include "cmd.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "build.h"
#include "digest.h"
#include "fetch.h"
#include "install.h"
#include "manifest.h"
#include "paths.h"
#include "strbuf.h"
#include "unpack.h"
#include "util.h"

static const char setup_usage[] =
	"usage: nprof setup [--yes] [--force] [--prefix DIR] [--manifest FILE|URL]\n"
	"                   [--from FILE|URL --sha256 HEX] [--cacert FILE]\n"
	"\n"
	"Installs a gdb that nprof can drive, without root, under\n"
	"$XDG_DATA_HOME/nprof (default ~/.local/share/nprof); `nprof annotate`\n"
	"then uses it.  It installs a prebuilt bundle for this machine when the\n"
	"manifest lists one, else builds the gdb release from source.  Running it\n"
	"again does nothing when that version is installed.\n"
	"\n"
	"options:\n"
	"   -y, --yes            download without asking first (needed when stdin\n"
	"                        is not a terminal)\n"
	"   --force              reinstall even when the version is installed\n"
	"   --prefix DIR         install under DIR instead\n"
	"   --manifest FILE|URL  what can be installed (default: the manifest\n"
	"                        nprof ships, gdb.manifest)\n"
	"   --from FILE|URL      install this gdb bundle instead of a manifest's\n"
	"   --sha256 HEX         the SHA-256 of the --from bundle (required)\n"
	"   --cacert FILE        trust the CA certificates in FILE for https\n";

/* What is kept about an install, in the tree itself: lets a second
 * `--from` run see that its bundle is already there. */
#define SETUP_RECEIPT "nprof-install.txt"
#define SETUP_MANIFEST_MAX (1 << 20)

struct setup_opts {
	const char *from, *sha256, *manifest, *prefix, *cacert;
	int yes, force;
};

/* What to install: a manifest entry, or the --from bundle (version NULL
 * until the unpacked gdb says). */
struct setup_plan {
	enum manifest_kind kind;
	const char *version, *url, *arch;
	char *sha256;
	uint64_t size;
	char *const *patches;
	int npatches;
	char *patchdir;
};

struct setup {
	struct setup_opts opt;
	struct setup_plan plan;
	struct manifest manifest;
	struct utsname uts;
	char *root;
	int default_root;
	char *download;		/* ROOT/downloads/NAME */
	char *staging;
	char *log;		/* build log, kept on failure */
	struct build_progress progress;
};

static volatile sig_atomic_t setup_signal;

static void setup_on_signal(int sig);
static void setup_catch_signals(void);
static int setup_parse_options(struct setup *s, int argc, char **argv);
static int setup_is_url(const char *s);
static int setup_load_manifest(struct setup *s, const char *src);
static int setup_plan_manifest(struct setup *s);
static char *setup_download_name(const char *url);
static void setup_format_size(uint64_t size, char *buf, size_t len);
static char *setup_receipt_value(const char *dir, const char *key);
static int setup_write_receipt(const struct setup *s, const char *tree);
static char *setup_installed(const struct setup *s);
static int setup_check_root(const char *root);
static int setup_confirm(const struct setup *s);
static char *setup_find_tree(const char *dir);
static int setup_interrupted(void);
static int setup_download(struct setup *s);
static int setup_unpack(struct setup *s, const char *sub, char **tree);
static int setup_build(struct setup *s, char **tree);
static int setup_install_locked(struct setup *s);
static int setup_install(struct setup *s);
static void setup_release(struct setup *s);

static void setup_on_signal(int sig)
{
	setup_signal = sig;
	fetch_interrupt();
	build_interrupt();
}

/* No SA_RESTART: a blocked read or wait returns, and the step sees the flag.
 * A signal the caller ignores (nohup) stays ignored. */
static void setup_catch_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa, old;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = setup_on_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
			sigaction(sigs[i], &sa, NULL);
}

static int setup_parse_options(struct setup *s, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "from", required_argument, NULL, 'F' },
		{ "sha256", required_argument, NULL, 'S' },
		{ "manifest", required_argument, NULL, 'M' },
		{ "prefix", required_argument, NULL, 'P' },
		{ "cacert", required_argument, NULL, 'C' },
		{ "yes", no_argument, NULL, 'y' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":yh", longopts, NULL)) != -1) {
		switch (c) {
		case 'F': s->opt.from = optarg; break;
		case 'S': s->opt.sha256 = optarg; break;
		case 'M': s->opt.manifest = optarg; break;
		case 'P': s->opt.prefix = optarg; break;
		case 'C': s->opt.cacert = optarg; break;
		case 'y': s->opt.yes = 1; break;
		case 'f': s->opt.force = 1; break;
		case 'h':
			fputs(setup_usage, stdout);
			return 1;
		case ':':
			error("option '%s' needs a value", argv[optind - 1]);
			return -1;
		default:
			error("unknown option '%s'; see 'nprof setup --help'", argv[optind - 1]);
			return -1;
		}
	}
	if (optind < argc)
		return error("unexpected argument '%s'; setup takes options only", argv[optind]);
	if (s->opt.from && s->opt.manifest)
		return error("--from and --manifest exclude each other; pass one");
	if (s->opt.from && !s->opt.sha256)
		return error("--from needs --sha256 HEX: nprof installs nothing it cannot verify");
	if (s->opt.sha256 && !s->opt.from)
		return error("--sha256 goes with --from BUNDLE");
	if (s->opt.sha256 && !digest_is_valid_hex(s->opt.sha256))
		return error("bad --sha256 '%s': expected 64 hex digits", s->opt.sha256);
	if (s->opt.prefix && !*s->opt.prefix)
		return error("--prefix is empty; pass a directory");
	if (s->opt.cacert && access(s->opt.cacert, R_OK) < 0)
		return error("cannot read --cacert %s: %s", s->opt.cacert, strerror(errno));
	return 0;
}

static int setup_is_url(const char *s)
{
	const char *p = s;

	while (isalpha((unsigned char)*p))
		p++;
	return p > s && strncmp(p, "://", 3) == 0;
}

/* The manifest's digests are what every download is checked against, so a
 * remote manifest must come over TLS (or not leave the machine): fetch_text()
 * sees to that. */
static int setup_load_manifest(struct setup *s, const char *src)
{
	struct strbuf sb = STRBUF_INIT;
	int ret;

	if (!setup_is_url(src))
		return manifest_load(src, &s->manifest);
	if (fetch_text(src, SETUP_MANIFEST_MAX, s->opt.cacert, &sb) < 0)
		ret = -1;
	else if (memchr(strbuf_str(&sb), '\0', sb.len))
		ret = error("%s: contains a NUL byte, not a manifest", src);
	else
		ret = manifest_parse(strbuf_str(&sb), src, &s->manifest);
	strbuf_release(&sb);
	return ret;
}

static int setup_plan_manifest(struct setup *s)
{
	struct setup_plan *p = &s->plan;
	char *deflt = NULL;
	const char *src = s->opt.manifest;
	const struct manifest_entry *e;
	int ret = 0;

	if (!src)
		src = deflt = paths_data_file("gdb.manifest");
	if (setup_load_manifest(s, src) < 0) {
		free(deflt);
		return -1;
	}
	uname(&s->uts);
	e = manifest_pick(&s->manifest, s->uts.machine);
	if (!e) {
		ret = error("%s lists no gdb for %s; pass --from BUNDLE --sha256 HEX, or a --manifest that has one",
			    src, s->uts.machine);
		goto out;
	}
	p->kind = e->kind;
	p->version = e->version;
	p->arch = s->uts.machine;
	p->url = e->url;
	p->sha256 = xstrdup(e->sha256);
	p->size = e->size;
	p->patches = e->patches;
	p->npatches = e->npatches;
	/* Patches ship beside a local manifest (pkgdatadir/patches for nprof's own). */
	if (setup_is_url(src)) {
		p->patchdir = paths_data_file("patches");
	} else {
		const char *slash = strrchr(src, '/');

		p->patchdir = slash ? xasprintf("%.*s/patches", (int)(slash - src), src) : xstrdup("patches");
	}
out:
	free(deflt);
	return ret;
}

/* The URL's last path segment, tamed into a file name. */
static char *setup_download_name(const char *url)
{
	const char *end = setup_is_url(url) ? url + strcspn(url, "?#") : url + strlen(url);
	const char *base = end;
	char *name;

	while (base > url && base[-1] != '/')
		base--;
	if (base == end)
		return xstrdup("download");
	name = xstrndup(base, (size_t)(end - base));
	for (char *c = name; *c; c++)
		if (!isalnum((unsigned char)*c) && !strchr("._+-", *c))
			*c = '_';
	if (name[0] == '.')
		name[0] = '_';
	return name;
}

static void setup_format_size(uint64_t size, char *buf, size_t len)
{
	if (!size)
		snprintf(buf, len, "size unknown");
	else if (size < 1024 * 1024)
		snprintf(buf, len, "%.1f KiB", (double)size / 1024);
	else
		snprintf(buf, len, "%.1f MiB", (double)size / (1024 * 1024));
}

/* A "KEY VALUE" line of DIR's receipt; new string or NULL. */
static char *setup_receipt_value(const char *dir, const char *key)
{
	char *path = xasprintf("%s/%s", dir, SETUP_RECEIPT);
	FILE *f = fopen(path, "re");
	char line[4096], *value = NULL;
	size_t n = strlen(key);

	free(path);
	if (!f)
		return NULL;
	while (!value && fgets(line, sizeof(line), f))
		if (strncmp(line, key, n) == 0 && line[n] == ' ')
			value = xstrndup(line + n + 1, strcspn(line + n + 1, "\n"));
	fclose(f);
	return value;
}

static int setup_write_receipt(const struct setup *s, const char *tree)
{
	char *path = xasprintf("%s/%s", tree, SETUP_RECEIPT);
	FILE *f = fopen(path, "we");
	int ret = 0;

	if (!f) {
		ret = error("cannot write %s: %s", path, strerror(errno));
	} else {
		fprintf(f, "# written by nprof setup %s\nkind %s\nurl %s\nsha256 %s\n", PACKAGE_VERSION,
			s->plan.kind == MANIFEST_BUNDLE ? "bundle" : "source", s->plan.url, s->plan.sha256);
		if (fclose(f) != 0)
			ret = error("cannot write %s: %s", path, strerror(errno));
	}
	free(path);
	return ret;
}

/* The installed version when it is what the plan asks for, else NULL. */
static char *setup_installed(const struct setup *s)
{
	char *version = install_current_version(s->root);
	char *gdb, *dir, *sha;
	int same;

	if (!version)
		return NULL;
	gdb = paths_installed_gdb(s->root);
	dir = xasprintf("%s/current", s->root);
	sha = setup_receipt_value(dir, "sha256");
	/* The manifest names a version; a bundle is known by its digest. */
	if (s->plan.version)
		same = strcmp(version, s->plan.version) == 0;
	else
		same = sha && digest_equal(sha, s->plan.sha256);
	free(sha);
	free(dir);
	if (!gdb || !same) {
		free(gdb);
		free(version);
		return NULL;
	}
	free(gdb);
	return version;
}

/* Says early, before asking anything, when ROOT cannot be made: its
 * nearest existing ancestor must be a writable directory. */
static int setup_check_root(const char *root)
{
	char *p = xstrdup(root), *slash;
	struct stat st;
	int ret = 0;

	while (stat(p, &st) < 0 && (errno == ENOENT || errno == ENOTDIR) && (slash = strrchr(p, '/')) && slash != p)
		*slash = '\0';
	if (stat(p, &st) < 0)
		ret = error("cannot install under %s: %s: %s; pass --prefix DIR", root, p, strerror(errno));
	else if (!S_ISDIR(st.st_mode))
		ret = error("cannot install under %s: %s is not a directory; pass --prefix DIR", root, p);
	else if (access(p, W_OK) < 0)
		ret = error("cannot install under %s: %s is not writable (%s); pass --prefix DIR", root, p,
			    strerror(errno));
	free(p);
	return ret;
}

/* Shows the plan and, without --yes, asks; 0 to go ahead, else the exit
 * status. */
static int setup_confirm(const struct setup *s)
{
	char size[32], answer[16] = "";
	const struct setup_plan *p = &s->plan;

	setup_format_size(p->size, size, sizeof(size));
	if (!s->opt.yes && !isatty(STDIN_FILENO)) {
		error("stdin is not a terminal, so nprof cannot ask before downloading %s (%s) into %s; pass --yes to go ahead",
		      p->url, size, s->root);
		return EXIT_USAGE;
	}
	if (!p->version)
		fprintf(stderr, "gdb bundle %s (%s)\n", p->url, size);
	else if (p->kind == MANIFEST_BUNDLE)
		fprintf(stderr, "gdb %s, prebuilt for %s (%s)\n  from %s\n", p->version, p->arch, size, p->url);
	else
		fprintf(stderr, "gdb %s, to build from source here (%s to download, then several minutes)\n  from %s\n",
			p->version, size, p->url);
	if (p->version)
		fprintf(stderr, "  into %s/versions/%s\n", s->root, p->version);
	else
		fprintf(stderr, "  into %s\n", s->root);
	if (s->opt.yes)
		return 0;
	fprintf(stderr, "Download and install it? [y/N] ");
	fflush(stderr);
	if (!fgets(answer, sizeof(answer), stdin) || (strcmp(answer, "y\n") && strcmp(answer, "yes\n") &&
						      strcmp(answer, "Y\n"))) {
		if (!strchr(answer, '\n'))
			fputc('\n', stderr);
		error("setup cancelled; nothing was downloaded");
		return 1;
	}
	return 0;
}

/* The tree is the unpacked dir when bin/gdb is at its top, else its only
 * top-level directory when there is just one (the caller checks that). */
static char *setup_find_tree(const char *dir)
{
	char *gdb = xasprintf("%s/bin/gdb", dir);
	char *only = NULL, *tree = NULL;
	struct dirent *de;
	struct stat st;
	int n = 0, flat = lstat(gdb, &st) == 0;
	DIR *d = flat ? NULL : opendir(dir);

	free(gdb);
	while (d && (de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		n++;
		free(only);
		only = xstrdup(de->d_name);
	}
	if (d)
		closedir(d);
	if (n == 1) {
		tree = xasprintf("%s/%s", dir, only);
		if (lstat(tree, &st) < 0 || !S_ISDIR(st.st_mode)) {
			free(tree);
			tree = NULL;
		}
	}
	free(only);
	return tree ? tree : xstrdup(dir);
}

/* Unpacks the download into STAGING/sub; *tree is what it holds. */
static int setup_unpack(struct setup *s, const char *sub, char **tree)
{
	char *dir = xasprintf("%s/%s", s->staging, sub);
	int ret = 0;

	*tree = NULL;
	if (mkdir(dir, 0755) < 0)
		ret = error("cannot create %s: %s", dir, strerror(errno));
	else if (unpack_archive(s->download, dir, NULL) < 0)
		ret = -1;
	else
		*tree = setup_find_tree(dir);
	/* Verified and unpacked: the archive is of no further use. */
	unlink(s->download);
	free(dir);
	return ret;
}

/* Builds the unpacked source *tree, configured for ROOT/versions/VERSION;
 * *tree is then the installed tree. */
static int setup_build(struct setup *s, char **tree)
{
	char *src = *tree, *prefix = xasprintf("%s/versions/%s", s->root, s->plan.version);
	struct build b;
	int ret;

	s->log = xasprintf("%s/build-gdb-%s.log", s->root, s->plan.version);
	b = (struct build){
		.version = s->plan.version,
		.url = s->plan.url,
		.src = src,
		.prefix = prefix,
		.workdir = s->staging,
		.patches = s->plan.patches,
		.npatches = s->plan.npatches,
		.patchdir = s->plan.patchdir,
		.log = s->log,
		.progress = &s->progress,
	};
	ret = build_gdb(&b, tree);
	free(src);
	free(prefix);
	return ret;
}

/* Between steps: a signal stops the install before the next one. */
static int setup_interrupted(void)
{
	return setup_signal ? error("interrupted; nothing was installed") : 0;
}

/* Into ROOT/downloads, where a .part left by a killed run is resumed. */
static int setup_download(struct setup *s)
{
	char *dir = xasprintf("%s/downloads", s->root);
	struct fetch_options fo = {
		.url = s->plan.url,
		.dest = s->download,
		.sha256 = s->plan.sha256,
		.size = s->plan.size,
		.cacert = s->opt.cacert,
		.progress = isatty(STDERR_FILENO),
	};
	int ret = 0;

	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		ret = error("cannot create %s: %s", dir, strerror(errno));
	free(dir);
	return ret < 0 ? ret : fetch_file(&fo);
}

/* Everything that writes under ROOT, with the lock held. */
static int setup_install_locked(struct setup *s)
{
	char *tree = NULL, *version = NULL, *vdir = NULL, *current = NULL, *dir;
	const char *want;
	struct stat st;
	int ret = -1, exists;

	/* Another setup may have installed it while this one waited. */
	if ((current = setup_installed(s)) && !s->opt.force) {
		printf("gdb %s is now installed in %s/versions/%s (by another nprof setup)\n", current, s->root,
		       current);
		free(current);
		return 0;
	}
	free(current);
	current = NULL;
	install_clean_stale(s->root);
	build_say(&s->progress, "downloading %s", s->plan.url);
	if (setup_download(s) < 0)
		return -1;
	if (setup_interrupted() < 0)
		return -1;
	s->staging = install_staging_dir(s->root);
	if (!s->staging)
		return -1;
	build_say(&s->progress, "unpacking");
	if (setup_unpack(s, s->plan.kind == MANIFEST_BUNDLE ? "tree" : "src", &tree) < 0)
		goto out;
	if (s->plan.kind == MANIFEST_SOURCE && setup_build(s, &tree) < 0)
		goto out;
	dir = xasprintf("%s/bin/gdb", tree);
	exists = access(dir, X_OK) == 0;
	free(dir);
	if (!exists && s->plan.kind == MANIFEST_SOURCE) {
		error("the gdb build installed no bin/gdb; %s says what it did", s->log);
		goto out;
	} else if (!exists) {
		error("%s is not a gdb bundle: it has no bin/gdb, at its top or in its one top-level directory",
		      s->plan.url);
		goto out;
	}
	if (setup_interrupted() < 0)
		goto out;
	build_say(&s->progress, "checking the new gdb");
	if (install_validate_gdb(tree, &version) < 0)
		goto out;
	want = s->plan.version ? s->plan.version : version;
	if (strcmp(version, want) != 0) {
		error("%s holds gdb %s, but the manifest says %s; not installing it", s->plan.url, version, want);
		goto out;
	}
	if (setup_write_receipt(s, tree) < 0)
		goto out;
	vdir = xasprintf("%s/versions/%s", s->root, version);
	exists = lstat(vdir, &st) == 0;
	current = install_current_version(s->root);
	/* A different bundle of the installed version replaces it only when asked. */
	if (exists && !s->opt.force && current && strcmp(current, version) == 0) {
		error("gdb %s is already installed in %s from another bundle; pass --force to replace it",
		      version, vdir);
		goto out;
	}
	if (setup_interrupted() < 0)
		goto out;
	build_say(&s->progress, "installing gdb %s in %s", version, vdir);
	if (install_commit(s->root, tree, version, s->opt.force || exists) < 0)
		goto out;
	ret = 0;
	if (s->log) {
		unlink(s->log);
		free(s->log);
		s->log = NULL;
	}
	printf("installed gdb %s in %s\n", version, vdir);
	if (s->default_root)
		printf("try it: nprof annotate -- your_script.py\n");
	else
		printf("try it: nprof annotate --gdb %s/current/bin/gdb -- your_script.py\n", s->root);
out:
	free(tree);
	free(version);
	free(vdir);
	free(current);
	return ret;
}

static int setup_install(struct setup *s)
{
	struct install_lock *lock;
	char *name;
	int ret;

	setup_catch_signals();
	lock = install_lock(s->root);
	if (!lock)
		return 1;
	if (setup_interrupted() < 0) {
		install_unlock(lock);
		return 128 + setup_signal;
	}
	name = setup_download_name(s->plan.url);
	s->download = xasprintf("%s/downloads/%s", s->root, name);
	free(name);
	ret = setup_install_locked(s);
	if (s->staging)
		install_remove_tree(s->staging);
	if (s->download && ret < 0)
		unlink(s->download);
	install_unlock(lock);
	if (ret == 0)
		return 0;
	return setup_signal ? 128 + setup_signal : 1;
}

static void setup_release(struct setup *s)
{
	manifest_release(&s->manifest);
	free(s->plan.sha256);
	free(s->plan.patchdir);
	free(s->root);
	free(s->download);
	free(s->staging);
	free(s->log);
}

static int cmd_setup_exec(int argc, char **argv)
{
	struct setup s;
	char *user_root, *version;
	int ret;

	memset(&s, 0, sizeof(s));
	ret = setup_parse_options(&s, argc, argv);
	if (ret > 0)
		return 0;
	if (ret < 0)
		return cmd_usage_error(&cmd_setup_entry);
	user_root = paths_user_root();
	if (s.opt.prefix) {
		char cwd[4096];

		/* The build bakes ROOT into gdb's configure: make it absolute. */
		if (s.opt.prefix[0] == '/' || !getcwd(cwd, sizeof(cwd)))
			s.root = xstrdup(s.opt.prefix);
		else
			s.root = xasprintf("%s/%s", cwd, s.opt.prefix);
		s.default_root = user_root && strcmp(user_root, s.root) == 0;
	} else if (user_root) {
		s.root = xstrdup(user_root);
		s.default_root = 1;
	} else {
		return EXIT_USAGE;
	}
	free(user_root);
	if (fetch_global_init() < 0) {
		setup_release(&s);
		return 1;
	}
	if (s.opt.from) {
		s.plan.kind = MANIFEST_BUNDLE;
		s.plan.url = s.opt.from;
		s.plan.sha256 = xstrdup(s.opt.sha256);
		for (char *c = s.plan.sha256; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		ret = 0;
	} else {
		ret = setup_plan_manifest(&s);
	}
	if (ret < 0) {
		ret = 1;
		goto out;
	}
	version = setup_installed(&s);
	if (version && !s.opt.force) {
		printf("gdb %s is already installed in %s/versions/%s; nothing to do (--force reinstalls it)\n",
		       version, s.root, version);
		free(version);
		goto out;
	}
	free(version);
	if (setup_check_root(s.root) < 0 ||
	    (s.plan.kind == MANIFEST_SOURCE && build_check_needs(s.plan.version, s.plan.npatches) < 0)) {
		ret = 1;
		goto out;
	}
	ret = setup_confirm(&s);
	if (ret)
		goto out;
	s.progress.nsteps = s.plan.kind == MANIFEST_BUNDLE ? 4 : 8;
	ret = setup_install(&s);
out:
	fetch_global_cleanup();
	setup_release(&s);
	return ret;
}

const struct cmd_entry cmd_setup_entry = {
	.name = "setup",
	.summary = "install a gdb that nprof can drive, under your home directory",
	.usage = setup_usage,
	.exec = cmd_setup_exec,
};
