#include "metrics.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "err.h"
#include "methods.h"

#define METRICS_SERVICES 32
#define METRICS_CODES 17 /* jx_err values are gRPC codes, 0..16 */

/* Upper bounds of the latency buckets, in seconds and in nanoseconds. */
static const char *const metrics_le_s[] = {
	"0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1",
	"2.5", "5", "10",
};
static const uint64_t metrics_le_ns[] = {
	500000, 1000000, 2500000, 5000000, 10000000, 25000000, 50000000, 100000000, 250000000,
	500000000, 1000000000, 2500000000, 5000000000, 10000000000,
};
#define METRICS_NLE (sizeof(metrics_le_ns) / sizeof(metrics_le_ns[0]))

/* Batch sizes: powers of two up to WRITER_BATCH_MAX. */
static const unsigned long long metrics_batch_le[] = { 1, 2, 4, 8, 16, 32, 64, 128, 256, 512,
	1024 };
#define METRICS_NBATCH (sizeof(metrics_batch_le) / sizeof(metrics_batch_le[0]))

struct metrics_hist {
	atomic_ullong bucket[METRICS_NLE]; /* not cumulative; summed when rendered */
	atomic_ullong count;
	atomic_ullong sum_ns;
};

struct metrics_method {
	atomic_ullong calls[METRICS_CODES];
	struct metrics_hist latency;
};

struct metrics_service {
	const ProtobufCServiceDescriptor *desc;
	struct metrics_method *methods; /* desc->n_methods of them */
};

static struct {
	pthread_mutex_t lock; /* taken only to add a service */
	struct metrics_service services[METRICS_SERVICES];
	atomic_int nservices;
	atomic_ullong unknown[METRICS_CODES]; /* frames that named no known method */
	atomic_ullong batches;
	atomic_ullong batch_jobs;
	atomic_ullong batch_size[METRICS_NBATCH + 1];
	struct metrics_hist batch_latency;
	struct metrics_hist commit_latency;
	atomic_ullong logins_ok, logins_refused;
	atomic_llong connections, subscribers;
	atomic_ullong connections_total;
} metrics = { .lock = PTHREAD_MUTEX_INITIALIZER };

uint64_t
metrics_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
metrics_observe(struct metrics_hist *h, uint64_t ns)
{
	size_t i;

	for (i = 0; i < METRICS_NLE && ns > metrics_le_ns[i]; i++)
		;
	if (i < METRICS_NLE)
		atomic_fetch_add_explicit(&h->bucket[i], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&h->sum_ns, ns, memory_order_relaxed);
	atomic_fetch_add_explicit(&h->count, 1, memory_order_relaxed);
}

/* The counters of desc, added on its first call. NULL when the table is full. */
static struct metrics_service *
metrics_service(const ProtobufCServiceDescriptor *desc)
{
	int n = atomic_load_explicit(&metrics.nservices, memory_order_acquire);
	struct metrics_service *s = NULL;

	for (int i = 0; i < n; i++)
		if (metrics.services[i].desc == desc)
			return &metrics.services[i];
	pthread_mutex_lock(&metrics.lock);
	n = atomic_load_explicit(&metrics.nservices, memory_order_relaxed);
	for (int i = 0; i < n && s == NULL; i++)
		if (metrics.services[i].desc == desc)
			s = &metrics.services[i];
	if (s == NULL && n < METRICS_SERVICES) {
		s = &metrics.services[n];
		s->methods = calloc(desc->n_methods > 0 ? desc->n_methods : 1, sizeof(*s->methods));
		if (s->methods == NULL) {
			s = NULL;
		} else {
			s->desc = desc;
			/* Published after it is whole: readers scan only up to nservices. */
			atomic_store_explicit(&metrics.nservices, n + 1, memory_order_release);
		}
	}
	pthread_mutex_unlock(&metrics.lock);
	return s;
}

void
metrics_request(const ProtobufCServiceDescriptor *service, unsigned method, int code,
    uint64_t ns)
{
	struct metrics_service *s;
	unsigned c = code >= 0 && code < METRICS_CODES ? (unsigned)code : JX_EINTERNAL;

	if (service == NULL || method >= service->n_methods ||
	    (s = metrics_service(service)) == NULL) {
		atomic_fetch_add_explicit(&metrics.unknown[c], 1, memory_order_relaxed);
		return;
	}
	atomic_fetch_add_explicit(&s->methods[method].calls[c], 1, memory_order_relaxed);
	metrics_observe(&s->methods[method].latency, ns);
}

void
metrics_batch(unsigned long long n, uint64_t ns)
{
	size_t i;

	for (i = 0; i < METRICS_NBATCH && n > metrics_batch_le[i]; i++)
		;
	atomic_fetch_add_explicit(&metrics.batch_size[i], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&metrics.batches, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&metrics.batch_jobs, n, memory_order_relaxed);
	metrics_observe(&metrics.batch_latency, ns);
}

void
metrics_commit(uint64_t ns)
{
	metrics_observe(&metrics.commit_latency, ns);
}

void
metrics_login(bool ok)
{
	atomic_fetch_add_explicit(ok ? &metrics.logins_ok : &metrics.logins_refused, 1,
	    memory_order_relaxed);
}

void
metrics_connections(int delta)
{
	atomic_fetch_add(&metrics.connections, delta);
	if (delta > 0)
		atomic_fetch_add(&metrics.connections_total, (unsigned long long)delta);
}

void
metrics_subscribers(int delta)
{
	atomic_fetch_add(&metrics.subscribers, delta);
}

static void
metrics_seconds(FILE *f, uint64_t ns)
{
	fprintf(f, "%llu.%09llu", (unsigned long long)(ns / 1000000000u),
	    (unsigned long long)(ns % 1000000000u));
}

/* One histogram's series; labels is "" or "a=\"x\",b=\"y\"". */
static void
metrics_render_hist(FILE *f, const char *name, const char *labels, struct metrics_hist *h)
{
	unsigned long long cum = 0;
	const char *sep = labels[0] != '\0' ? "," : "";

	for (size_t i = 0; i < METRICS_NLE; i++) {
		cum += atomic_load_explicit(&h->bucket[i], memory_order_relaxed);
		fprintf(f, "%s_bucket{%s%sle=\"%s\"} %llu\n", name, labels, sep, metrics_le_s[i],
		    cum);
	}
	/* count last: a scrape racing an update never shows +Inf below a bucket. */
	cum = atomic_load_explicit(&h->count, memory_order_relaxed);
	fprintf(f, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name, labels, sep, cum);
	fprintf(f, "%s_sum%s%s%s ", name, labels[0] ? "{" : "", labels, labels[0] ? "}" : "");
	metrics_seconds(f, atomic_load_explicit(&h->sum_ns, memory_order_relaxed));
	fprintf(f, "\n%s_count%s%s%s %llu\n", name, labels[0] ? "{" : "", labels,
	    labels[0] ? "}" : "", cum);
}

void
metrics_render(FILE *f)
{
	int n = atomic_load_explicit(&metrics.nservices, memory_order_acquire);
	unsigned long long cum = 0;
	char labels[256];

	fputs("# HELP jixiaod_build_info The jixiaod build serving.\n"
	      "# TYPE jixiaod_build_info gauge\n", f);
	fprintf(f, "jixiaod_build_info{version=\"%s\"} 1\n", JX_VERSION);

	fputs("# HELP jixiaod_requests_total Calls answered, by service, method and status.\n"
	      "# TYPE jixiaod_requests_total counter\n", f);
	for (int i = 0; i < n; i++) {
		struct metrics_service *s = &metrics.services[i];
		for (unsigned m = 0; m < s->desc->n_methods; m++)
			for (int c = 0; c < METRICS_CODES; c++) {
				unsigned long long v = atomic_load_explicit(&s->methods[m].calls[c],
				    memory_order_relaxed);
				if (v > 0)
					fprintf(f, "jixiaod_requests_total{service=\"%s\",method=\"%s\","
					    "code=\"%s\"} %llu\n", s->desc->short_name, s->desc->methods[m].name,
					    jx_errname(c), v);
			}
	}
	/* Every method in the table has its series from the start, at 0 until called. */
	for (size_t i = 0, m = 0; i < methods_count(); i++, m++) {
		const struct method *row = methods_at(i);
		const char *dot = strrchr(row->service, '.');
		bool called = false;
		if (i > 0 && strcmp(methods_at(i - 1)->service, row->service) != 0)
			m = 0;
		for (int k = 0; k < n && !called; k++) {
			const struct metrics_service *sv = &metrics.services[k];
			if (strcmp(sv->desc->name, row->service) != 0 || m >= sv->desc->n_methods)
				continue;
			for (int c = 0; c < METRICS_CODES && !called; c++)
				called = atomic_load_explicit(&sv->methods[m].calls[c],
				    memory_order_relaxed) > 0;
		}
		if (!called)
			fprintf(f, "jixiaod_requests_total{service=\"%s\",method=\"%s\",code=\"OK\"} 0\n",
			    dot != NULL ? dot + 1 : row->service, row->name);
	}
	for (int c = 0; c < METRICS_CODES; c++) {
		unsigned long long v = atomic_load_explicit(&metrics.unknown[c], memory_order_relaxed);
		if (v > 0)
			fprintf(f, "jixiaod_requests_total{service=\"\",method=\"\",code=\"%s\"} %llu\n",
			    jx_errname(c), v);
	}

	fputs("# HELP jixiaod_request_duration_seconds Time from a request's receipt to its "
	      "reply (writes: after their commit is durable).\n"
	      "# TYPE jixiaod_request_duration_seconds histogram\n", f);
	for (int i = 0; i < n; i++) {
		struct metrics_service *s = &metrics.services[i];
		for (unsigned m = 0; m < s->desc->n_methods; m++) {
			if (atomic_load_explicit(&s->methods[m].latency.count,
			    memory_order_relaxed) == 0)
				continue;
			snprintf(labels, sizeof(labels), "service=\"%s\",method=\"%s\"", s->desc->short_name,
			    s->desc->methods[m].name);
			metrics_render_hist(f, "jixiaod_request_duration_seconds", labels,
			    &s->methods[m].latency);
		}
	}

	fputs("# HELP jixiaod_write_batches_total Write transactions (group commits).\n"
	      "# TYPE jixiaod_write_batches_total counter\n", f);
	fprintf(f, "jixiaod_write_batches_total %llu\n", atomic_load(&metrics.batches));
	fputs("# HELP jixiaod_write_batch_size Mutating calls per write transaction.\n"
	      "# TYPE jixiaod_write_batch_size histogram\n", f);
	for (size_t i = 0; i < METRICS_NBATCH; i++) {
		cum += atomic_load_explicit(&metrics.batch_size[i], memory_order_relaxed);
		fprintf(f, "jixiaod_write_batch_size_bucket{le=\"%llu\"} %llu\n",
		    metrics_batch_le[i], cum);
	}
	cum += atomic_load_explicit(&metrics.batch_size[METRICS_NBATCH], memory_order_relaxed);
	fprintf(f, "jixiaod_write_batch_size_bucket{le=\"+Inf\"} %llu\n", cum);
	fprintf(f, "jixiaod_write_batch_size_sum %llu\njixiaod_write_batch_size_count %llu\n",
	    atomic_load(&metrics.batch_jobs), cum);
	fputs("# HELP jixiaod_write_batch_duration_seconds A write transaction from its first "
	      "job to its durable commit.\n"
	      "# TYPE jixiaod_write_batch_duration_seconds histogram\n", f);
	metrics_render_hist(f, "jixiaod_write_batch_duration_seconds", "",
	    &metrics.batch_latency);
	fputs("# HELP jixiaod_commit_duration_seconds LMDB commits, the sync included.\n"
	      "# TYPE jixiaod_commit_duration_seconds histogram\n", f);
	metrics_render_hist(f, "jixiaod_commit_duration_seconds", "", &metrics.commit_latency);

	fputs("# HELP jixiaod_logins_total Logins, by result.\n"
	      "# TYPE jixiaod_logins_total counter\n", f);
	fprintf(f, "jixiaod_logins_total{result=\"ok\"} %llu\n", atomic_load(&metrics.logins_ok));
	fprintf(f, "jixiaod_logins_total{result=\"refused\"} %llu\n",
	    atomic_load(&metrics.logins_refused));
	fputs("# HELP jixiaod_connections Client connections open now.\n"
	      "# TYPE jixiaod_connections gauge\n", f);
	fprintf(f, "jixiaod_connections %lld\n", atomic_load(&metrics.connections));
	fputs("# HELP jixiaod_connections_total Client connections accepted.\n"
	      "# TYPE jixiaod_connections_total counter\n", f);
	fprintf(f, "jixiaod_connections_total %llu\n", atomic_load(&metrics.connections_total));
	fputs("# HELP jixiaod_feed_subscribers Change-feed subscribers connected now.\n"
	      "# TYPE jixiaod_feed_subscribers gauge\n", f);
	fprintf(f, "jixiaod_feed_subscribers %lld\n", atomic_load(&metrics.subscribers));
}
