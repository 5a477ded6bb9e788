/* merge.c — 'gradlab merge DIR... --out DIR': combine batch folders (typically the shards
 * 1..N of one batch) into one folder whose summary.csv is the one the unsharded batch writes.
 * The merged folder holds batch.json (the combined job list), summary.csv, and one symlink per
 * ended job to its run folder, so 'gradlab batch --status' and 'gradlab plot' work on it, and
 * 'gradlab batch --out MERGED' (no scripts) runs whatever no shard completed. */
#include <errno.h>
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
    if (c == 'o')
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
    cJSON *old = batch_read_json(out_json);
    int was_merge = old && cJSON_GetObjectItemCaseSensitive(old, "merged_from");
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
    in[i].bj = batch_read_json(path);
    if (!in[i].bj ||
        batch_list_from_json(cJSON_GetObjectItemCaseSensitive(in[i].bj, "jobs"), &in[i].l)) {
      cli_error("%s is not a gradlab batch folder (no readable batch.json)", in[i].dir);
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
  /* Each job's state: a success anywhere wins over a failure; the first one found otherwise. */
  states = calloc((size_t)m.n + 1, sizeof *states);
  from = calloc((size_t)m.n + 1, sizeof *from);
  for (int i = 0; i < nin; i++)
    for (int j = 0; j < in[i].l.n; j++) {
      int pos = idmap_find(&map, &m, in[i].l.jobs[j].id);
      if (states[pos] && batch_state_ok(states[pos])) continue;
      cJSON *st = batch_job_state(in[i].dir, in[i].l.jobs[j].id);
      if (!st || (states[pos] && !batch_state_ok(st))) {
        cJSON_Delete(st);
        continue;
      }
      cJSON_Delete(states[pos]);
      states[pos] = st;
      from[pos] = i;
    }
  if (batch_mkdirs(out) != 0) {
    cli_error("cannot create %s: %s", out, strerror(errno));
    goto done;
  }
  for (int i = 0; i < m.n; i++) {
    const char *why;
    if (!states[i]) continue;
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
  int ok = 0, failed = 0, missing = 0;
  for (int i = 0; i < m.n; i++) {
    if (!states[i])
      missing++;
    else if (batch_state_ok(states[i]))
      ok++;
    else
      failed++;
  }
  printf("merged %d folder%s into %s: %d job%s, %d ok, %d failed, %d not run\n", nin, batch_s(nin),
         out, m.n, batch_s(m.n), ok, failed, missing);
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
