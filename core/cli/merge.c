/* merge.c — 'gradlab merge DIR... --out DIR': combine batch folders (typically the shards
 * 1..N of one batch) into one folder whose summary.csv is the one the unsharded batch writes.
 * The merged folder holds batch.json (the combined job list), summary.csv, and one symlink per
 * ended job to its run folder, so 'gradlab batch --status' and 'gradlab plot' work on it, and
 * 'gradlab batch --out MERGED' (no scripts) runs whatever no shard completed. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "batch.h"
#include "cli.h"
#include "gradlab/error.h"

typedef struct input {
  const char *dir;
  cJSON *bj;
  batch_list l;
} input;

/* Ids -> position in the merged list: open addressing over the FNV ids (already hashes). */
typedef struct idmap {
  int *slot; /* -1 empty */
  size_t cap;
} idmap;

static size_t id_hash(const char *id) {
  return (size_t)strtoull(id + 8, NULL, 16);
}

static int idmap_find(const idmap *m, const batch_list *l, const char *id) {
  for (size_t h = id_hash(id) & (m->cap - 1);; h = (h + 1) & (m->cap - 1)) {
    if (m->slot[h] < 0) return -1;
    if (!strcmp(l->jobs[m->slot[h]].id, id)) return m->slot[h];
  }
}

static void idmap_put(idmap *m, const char *id, int pos) {
  size_t h = id_hash(id) & (m->cap - 1);
  while (m->slot[h] >= 0)
    h = (h + 1) & (m->cap - 1);
  m->slot[h] = pos;
}

/* ---- reading the inputs: every way a file can be wrong is said, naming it ---- */

/* A whole file (NUL-terminated, malloc'ed) into *buf: 0, or -1 with errno (ENOENT: absent) and
 * *why set. Opened O_NONBLOCK and checked to be a regular file, so that a FIFO planted at a
 * job.json cannot hang the merge. */
static int read_whole(const char *path, char **buf, size_t *len, const char **why) {
  *buf = NULL;
  *len = 0;
  *why = NULL;
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return *why = strerror(errno), -1;
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int e = errno;
    close(fd);
    *why = strerror(e);
    return errno = e, -1;
  }
  if (!S_ISREG(st.st_mode)) {
    int e = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
    close(fd);
    *why = e == EISDIR ? "a folder, not a file" : "not a regular file";
    return errno = e, -1;
  }
  size_t cap = (size_t)st.st_size + 1, n = 0;
  char *b = malloc(cap);
  for (;;) {
    if (!b) {
      close(fd);
      *why = "out of memory";
      return errno = ENOMEM, -1;
    }
    if (n + 1 >= cap) {
      char *nb = realloc(b, cap *= 2);
      if (!nb) free(b);
      b = nb;
      continue;
    }
    ssize_t r = read(fd, b + n, cap - n - 1);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      int e = errno;
      free(b);
      close(fd);
      *why = strerror(e);
      return errno = e, -1;
    }
    if (r == 0) break;
    n += (size_t)r;
  }
  close(fd);
  b[n] = '\0';
  *buf = b;
  *len = n;
  return 0;
}

/* Parse JSON text; NULL with " (near line L, column C)" — where cJSON stopped, which may be a
 * byte past the fault — in where[]. */
static cJSON *parse_json(const char *text, size_t len, char *where, size_t wn) {
  const char *end = NULL;
  cJSON *j = cJSON_ParseWithOpts(text, &end, 0);
  where[0] = '\0';
  if (j) return j;
  if (end && end >= text && end <= text + len) {
    size_t line = 1, col = 1;
    for (const char *c = text; c < end; c++)
      if (*c == '\n')
        line++, col = 1;
      else
        col++;
    int at_end = strspn(end, " \t\r\n") == (size_t)(text + len - end);
    if (end < text + len && *end == '\0') /* cJSON reads up to the first NUL byte */
      snprintf(where, wn, " (a NUL byte at line %zu, column %zu)", line, col);
    else
      snprintf(where, wn, " (%s line %zu, column %zu)", at_end ? "it ends early, at" : "near", line,
               col);
  }
  return NULL;
}

/* DIR/batch.json: the parsed file, or NULL with the message printed (what is wrong, naming the
 * file: absent, unreadable, not JSON and where, no job list). `what`: "merge DIR" for an input,
 * "merge into DIR" for the output. */
static cJSON *read_batch(const char *dir, const char *path, const char *what) {
  char *text;
  size_t len;
  const char *why;
  if (read_whole(path, &text, &len, &why) != 0) {
    if (errno == ENOENT)
      cli_error("%s is not a gradlab batch folder (it has no batch.json)", dir);
    else
      cli_error("cannot %s %s: cannot read %s: %s", what, dir, path, why);
    return NULL;
  }
  char where[96];
  cJSON *j = parse_json(text, len, where, sizeof where);
  free(text);
  if (!j)
    cli_error("cannot %s %s: %s does not parse as JSON%s", what, dir, path, where);
  else if (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(j, "jobs"))) {
    cli_error("cannot %s %s: %s is not a gradlab batch.json (it has no \"jobs\" list)", what, dir,
              path);
    cJSON_Delete(j);
    j = NULL;
  }
  return j;
}

/* DIR/<id>/job.json, the end of job `job`: 0 with *state (NULL: the job has not ended — no
 * job.json, or an empty one, which a machine crash can leave and the batch reruns), or -1 with
 * the message printed when the file is there but damaged: not JSON, or not what 'gradlab batch'
 * writes for this job (batch_state_damage: a status other than ok/failed, another job's id — a
 * link to its job.json —, fields missing, another seed). A damaged job.json is not "not run":
 * the job may well have run, and counting it pending would tell the user to run it again. */
static int read_state(const char *dir, const batch_job *job, cJSON **state) {
  char path[4200], *text, where[96], bad[256];
  size_t len;
  const char *why;
  *state = NULL;
  snprintf(path, sizeof path, "%s/%s/job.json", dir, job->id);
  if (read_whole(path, &text, &len, &why) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return 0;
    cli_error("cannot read %s: %s", path, why);
    return -1;
  }
  int empty = strspn(text, " \t\r\n") == len;
  cJSON *j = empty ? NULL : parse_json(text, len, where, sizeof where);
  free(text);
  if (empty) return 0;
  if (!j) {
    cli_error("%s is damaged: it does not parse as JSON%s", path, where);
    return -1;
  }
  if (batch_state_damage(j, job->id, job, bad, sizeof bad)) {
    cli_error("%s is damaged: %s", path, bad);
    cJSON_Delete(j);
    return -1;
  }
  *state = j;
  return 0;
}

static void job_copy(batch_job *d, const batch_job *s, int index) {
  *d = *s;
  d->index = index;
  d->script = strdup(s->script);
  d->params = calloc((size_t)s->nparams + 1, sizeof *d->params);
  for (int i = 0; i < s->nparams; i++) {
    d->params[i].key = strdup(s->params[i].key);
    d->params[i].value = strdup(s->params[i].value);
  }
}

static int same_list(const batch_list *a, const batch_list *b) {
  if (a->n != b->n) return 0;
  for (int i = 0; i < a->n; i++)
    if (strcmp(a->jobs[i].id, b->jobs[i].id)) return 0;
  return 1;
}

/* out/<id> -> the job's run folder, a symbolic link made under a temporary name and renamed
 * into place. What is replaced there: nothing, a link (an earlier merge's), or a job folder (a
 * job that 'gradlab batch --out OUT' ran in the merge output itself). Anything else at out/<id>
 * — a file, a FIFO, a folder that is not a job's — is left alone: 0 with *why set. */
static int link_job(const char *out, const char *src_dir, const char *id, const char **why) {
  char target[PATH_MAX], src[4200], link[4200], tmp[4300];
  *why = NULL;
  snprintf(src, sizeof src, "%s/%s", src_dir, id);
  if (!realpath(src, target)) return -1;
  snprintf(link, sizeof link, "%s/%s", out, id);
  if (!strcmp(target, link)) return 0;
  char rl[PATH_MAX];
  if (realpath(link, rl) && !strcmp(rl, target)) return 0; /* already there */
  struct stat st;
  int dir = 0;
  if (lstat(link, &st) == 0 && !S_ISLNK(st.st_mode)) {
    char job[4300];
    snprintf(job, sizeof job, "%s/job.json", link);
    dir = S_ISDIR(st.st_mode) && access(job, F_OK) == 0;
    if (!dir) {
      *why = "neither a link nor a job folder";
      return 0;
    }
  }
  snprintf(tmp, sizeof tmp, "%s/.%s.link.tmp", out, id);
  unlink(tmp);                              /* a leftover (a link itself is removed) */
  if (symlink(target, tmp) != 0) return -1; /* never follows what is at tmp */
  if ((dir && batch_rmtree(link) != 0) || rename(tmp, link) != 0) {
    int e = errno; /* for the warning */
    unlink(tmp);
    errno = e;
    return -1;
  }
  return 0;
}

/* out/<id> is a real folder holding a job.json (empty or not): a job that 'gradlab batch --out
 * OUT' ran in the merge output itself, not a link of an earlier merge. */
static int own_job_folder(const char *out, const char *id) {
  char path[4200];
  struct stat st;
  snprintf(path, sizeof path, "%s/%s", out, id);
  if (lstat(path, &st) != 0 || !S_ISDIR(st.st_mode)) return 0;
  snprintf(path, sizeof path, "%s/%s/job.json", out, id);
  return lstat(path, &st) == 0;
}

/* An earlier merge's link at out/<name>: a symbolic link named as a job id (16 hex digits)
 * whose target is a folder of that same name — what link_job makes, and nothing a user is
 * likely to have put there. Its leftover temporary (".<id>.link.tmp") counts too. */
static int merge_link_id(const char *out, const char *name, char id[17]) {
  size_t n = strlen(name);
  const char *base = name;
  if (n == 16 + 10 && name[0] == '.' && !strcmp(name + 17, ".link.tmp"))
    base = name + 1;
  else if (n != 16)
    return 0;
  if (strspn(base, "0123456789abcdef") < 16) return 0;
  char path[4200], target[PATH_MAX];
  snprintf(path, sizeof path, "%s/%s", out, name);
  struct stat st;
  if (lstat(path, &st) != 0 || !S_ISLNK(st.st_mode)) return 0;
  ssize_t k = readlink(path, target, sizeof target - 1);
  if (k < 17) return 0;
  target[k] = '\0';
  if (target[k - 17] != '/' || strncmp(target + k - 16, base, 16)) return 0;
  memcpy(id, base, 16);
  id[16] = '\0';
  return 1;
}

/* Merging again into out: the links of jobs this merge does not link (no longer listed, or
 * ended in none of the folders now given) go, as summary.csv and batch.json no longer list them
 * as ended. Only merge's own links are removed (merge_link_id): never a file, a folder (a job
 * that ran in out itself) or a link of another shape. Returns how many were removed. */
static int remove_stale_links(const char *out, const idmap *map, const batch_list *m,
                              cJSON *const *states) {
  DIR *d = opendir(out);
  if (!d) return 0;
  int removed = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    char id[17], path[4200];
    if (!merge_link_id(out, e->d_name, id)) continue;
    int pos = idmap_find(map, m, id);
    if (e->d_name[0] != '.' && pos >= 0 && states[pos]) continue; /* linked by this merge */
    snprintf(path, sizeof path, "%s/%s", out, e->d_name);
    if (unlink(path) == 0)
      removed += e->d_name[0] != '.';
    else if (errno != ENOENT)
      fprintf(stderr, "gradlab: warning: cannot remove %s, a link of a job no longer merged: %s\n",
              path, strerror(errno));
  }
  closedir(d);
  return removed;
}

static void usage(FILE *f) {
  fputs(
      "usage: gradlab merge DIR... --out DIR\n\n"
      "Combines batch folders (e.g. the shards of 'gradlab batch --shard K/N') into DIR: one\n"
      "summary.csv with every job in the order of the unsharded batch, batch.json, and a link per\n"
      "job to its run folder. DIR must be new, empty, or an earlier merge's output (as\n"
      "'gradlab batch --out' checks its folder). Exit status 0 if every job succeeded, 1\n"
      "otherwise, 2 bad usage.\n",
      f);
}

int cli_merge(int argc, char **argv) {
  static const struct option longopts[] = {
      {"out", required_argument, NULL, 'o'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
  const char *out = NULL;
  int c, rc = CLI_USAGE;
  opterr = 0;
  optind = 1;
  while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
    if (c == 'o' && !optarg[0]) /* as 'gradlab run/batch --out ""' say */
      return cli_error("--out wants a folder name, got an empty one"), CLI_USAGE;
    else if (c == 'o')
      out = optarg;
    else if (c == 'h')
      return usage(stdout), CLI_OK;
    else if (c == ':')
      return cli_error("option '%s' needs a value", argv[optind - 1]), CLI_USAGE;
    else
      return cli_error("unknown option '%s' (see 'gradlab merge --help')", argv[optind - 1]),
             CLI_USAGE;
  }
  int nin = argc - optind;
  if (!out || nin < 1) {
    cli_error("give the batch folders and --out DIR (see 'gradlab merge --help')");
    return CLI_USAGE;
  }
  /* The output folder first, with the check 'gradlab batch' makes, so that nothing is written
   * into a folder that is not ours (a run folder, /etc, a file): only a new or empty folder, or
   * the output of an earlier merge, is. */
  if (batch_check_out(out) != CLI_OK) return CLI_USAGE;
  char path[4200], out_json[4200];
  snprintf(out_json, sizeof out_json, "%s/batch.json", out);
  if (batch_dir_state(out) == BATCH_DIR_BATCH) {
    cJSON *old = read_batch(out, out_json, "merge into");
    if (!old) return CLI_USAGE; /* said why: not parsing, no job list */
    int was_merge = cJSON_GetObjectItemCaseSensitive(old, "merged_from") != NULL;
    cJSON_Delete(old);
    if (!was_merge) {
      cli_error("%s is a batch folder, not a merge output; choose another --out", out);
      return CLI_USAGE;
    }
  }
  input *in = calloc((size_t)nin, sizeof *in);
  batch_list m = {0};
  cJSON **states = NULL;
  int *from = NULL;
  idmap map = {0};
  size_t total = 0;
  for (int i = 0; i < nin; i++) {
    in[i].dir = argv[optind + i];
    snprintf(path, sizeof path, "%s/batch.json", in[i].dir);
    in[i].bj = read_batch(in[i].dir, path, "merge");
    if (!in[i].bj) goto done;
    char why[256];
    if (batch_list_from_json(cJSON_GetObjectItemCaseSensitive(in[i].bj, "jobs"), &in[i].l, why,
                             sizeof why)) {
      cli_error("cannot merge %s: %s is not a gradlab batch.json (%s)", in[i].dir, path, why);
      goto done;
    }
    total += (size_t)in[i].l.n;
  }
  /* The merged list: every job once, in the order of the first input that lists it. */
  rc = CLI_FAIL;
  for (map.cap = 64; map.cap < 2 * total + 2; map.cap *= 2) {
  }
  map.slot = malloc(map.cap * sizeof *map.slot);
  m.jobs = calloc(total + 1, sizeof *m.jobs);
  if (!map.slot || !m.jobs) {
    cli_error("out of memory");
    goto done;
  }
  memset(map.slot, -1, map.cap * sizeof *map.slot);
  m.cap = (int)total + 1;
  for (int i = 0; i < nin; i++)
    for (int j = 0; j < in[i].l.n; j++) {
      const batch_job *b = &in[i].l.jobs[j];
      if (idmap_find(&map, &m, b->id) >= 0) continue;
      job_copy(&m.jobs[m.n], b, m.n);
      idmap_put(&map, b->id, m.n);
      m.n++;
    }
  /* Each job's state: a success anywhere wins over a failure; the first one found otherwise.
   * Every job.json is read, so that a damaged one is found whatever the order of the folders:
   * each is named, and nothing is written (exit 1) — its job may have run, and the merge
   * cannot say how. */
  states = calloc((size_t)m.n + 1, sizeof *states);
  from = calloc((size_t)m.n + 1, sizeof *from);
  if (!states || !from) {
    cli_error("out of memory");
    goto done;
  }
  /* First the jobs that 'gradlab batch --out OUT' ran in the output itself (its pending jobs of
   * an earlier merge): real folders there, kept as they are and counted; an input's success
   * still wins over a failure there (its link then replaces that folder). */
  int damaged = 0, own = 0;
  for (int i = 0; i < m.n; i++) {
    cJSON *st;
    if (!own_job_folder(out, m.jobs[i].id)) continue;
    if (read_state(out, &m.jobs[i], &st) != 0) {
      damaged++;
      continue;
    }
    states[i] = st;
    from[i] = -1;
  }
  for (int i = 0; i < nin; i++)
    for (int j = 0; j < in[i].l.n; j++) {
      int pos = idmap_find(&map, &m, in[i].l.jobs[j].id);
      cJSON *st;
      if (read_state(in[i].dir, &in[i].l.jobs[j], &st) != 0) {
        damaged++;
        continue;
      }
      if (!st || (states[pos] && (batch_state_ok(states[pos]) || !batch_state_ok(st)))) {
        cJSON_Delete(st);
        continue;
      }
      cJSON_Delete(states[pos]);
      states[pos] = st;
      from[pos] = i;
    }
  if (damaged) {
    if (damaged == 1)
      cli_error("nothing merged into %s: restore that job.json, or remove it to count its job as "
                "not run (a rerun of its batch then runs it)",
                out);
    else
      cli_error("nothing merged into %s: restore those %d job.json files, or remove them to count "
                "their jobs as not run (a rerun of their batch then runs them)",
                out, damaged);
    goto done;
  }
  if (batch_mkdirs(out) != 0) {
    cli_error("cannot create %s: %s", out, strerror(errno));
    goto done;
  }
  for (int i = 0; i < m.n; i++) {
    const char *why;
    if (!states[i]) continue;
    if (from[i] < 0) { /* ran in out itself: its folder is the job's */
      own++;
      continue;
    }
    if (link_job(out, in[from[i]].dir, m.jobs[i].id, &why) != 0)
      fprintf(stderr, "gradlab: warning: cannot link %s/%s into %s: %s\n", in[from[i]].dir,
              m.jobs[i].id, out, strerror(errno));
    else if (why)
      fprintf(stderr, "gradlab: warning: %s/%s is %s: left as it is, not linked to %s/%s\n", out,
              m.jobs[i].id, why, in[from[i]].dir, m.jobs[i].id);
  }
  cJSON *bj = cJSON_CreateObject();
  cJSON_AddNumberToObject(bj, "version", 1);
  cJSON *mf = cJSON_AddArrayToObject(bj, "merged_from");
  for (int i = 0; i < nin; i++) {
    char abs[PATH_MAX];
    cJSON_AddItemToArray(mf, cJSON_CreateString(realpath(in[i].dir, abs) ? abs : in[i].dir));
  }
  /* Shards of one batch: keep its arguments (without the shard) so the merge can be resumed. */
  int same = 1;
  for (int i = 1; i < nin; i++)
    same &= same_list(&in[0].l, &in[i].l);
  const cJSON *args = cJSON_GetObjectItemCaseSensitive(in[0].bj, "args");
  if (same && args) {
    cJSON *a = cJSON_Duplicate(args, 1);
    cJSON_DeleteItemFromObjectCaseSensitive(a, "shard");
    /* the seeds with all their digits (cJSON would print 9007199254740991 rounded) */
    cJSON *sd = cJSON_GetObjectItemCaseSensitive(a, "seeds");
    for (int k = 0; k < cJSON_GetArraySize(sd); k++)
      if (cJSON_IsNumber(cJSON_GetArrayItem(sd, k)))
        cJSON_ReplaceItemInArray(
            sd, k, batch_json_integer((long long)cJSON_GetArrayItem(sd, k)->valuedouble));
    cJSON_AddItemToObject(bj, "args", a);
  }
  cJSON_AddItemToObject(bj, "jobs", batch_list_to_json(&m));
  int wrc = batch_write_json(out_json, bj);
  cJSON_Delete(bj);
  if (wrc != 0) {
    cli_error("%s", glab_last_error());
    goto done;
  }
  if (batch_write_summary(out, &m, states, NULL, 0, 0) != CLI_OK) goto done;
  /* Only now that batch.json and summary.csv describe this merge (a crash before leaves links
   * too many, never too few, and the next merge removes them). */
  int stale = remove_stale_links(out, &map, &m, states);
  int ok = 0, failed = 0, missing = 0;
  for (int i = 0; i < m.n; i++) {
    if (!states[i])
      missing++;
    else if (batch_state_ok(states[i]))
      ok++;
    else
      failed++;
  }
  printf("merged %d folder%s into %s: %d job%s, %d ok, %d failed, %d not run", nin, batch_s(nin),
         out, m.n, batch_s(m.n), ok, failed, missing);
  if (own) printf(" (%d of them run in %s itself)", own, out);
  putchar('\n');
  if (stale)
    printf("removed %d link%s of jobs no longer merged from %s\n", stale, batch_s(stale), out);
  if (missing)
    fprintf(stderr,
            "gradlab: warning: %d job(s) ran in none of the folders; "
            "'gradlab batch --out %s' runs them\n",
            missing, out);
  rc = ok == m.n ? CLI_OK : CLI_FAIL;
done:
  if (states)
    for (int i = 0; i < m.n; i++)
      cJSON_Delete(states[i]);
  free(states);
  free(from);
  free(map.slot);
  batch_list_free(&m);
  for (int i = 0; i < nin; i++) {
    cJSON_Delete(in[i].bj);
    batch_list_free(&in[i].l);
  }
  free(in);
  return rc;
}
