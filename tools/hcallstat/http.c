// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * GET /metrics, served by one thread with poll(): every connection is
 * non-blocking and has a deadline, so idle, slow or hostile clients cost
 * a slot each and never delay another's scrape.
 *   - a request head must arrive whole within HTTP_REQ_MS of the accept
 *     and fit in HTTP_MAX_REQ bytes (else 408 / 431);
 *   - at most HTTP_MAX_CONNS connections; when full, the oldest one still
 *     sending its request after HTTP_EVICT_MS is closed for a new one;
 *   - concurrent scrapes in one poll round share one rendering;
 *   - the answer is sent within HTTP_SEND_MS, then the rest of the
 *     request is read and dropped (so the client sees the answer, not a
 *     reset) for at most HTTP_DRAIN_MS.
 * The thread reads the maps through their fds only and never ends the
 * process: a failure costs one connection (or one 500), not the tracer.
 *
 * --web-config (webconfig.c) adds TLS (OpenSSL, non-blocking like the
 * rest: a handshake is just more reading and writing under the same
 * deadlines) and basic auth against bcrypt hashes; credentials that
 * passed once are remembered by their SHA-256, so a scrape costs one
 * bcrypt per process lifetime, not one per scrape.
 */
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include "hcallstat.h"
#include "webconfig.h"

#define HTTP_MAX_CONNS	256
#define HTTP_MAX_REQ	8192
#define HTTP_REQ_MS	1000
#define HTTP_EVICT_MS	100
#define HTTP_SEND_MS	2000
#define HTTP_DRAIN_MS	500
#define HTTP_BACKLOG	512
#define AUTH_CACHE	16	/* credentials that passed, by digest */

enum conn_state { C_FREE, C_READ, C_SEND, C_DRAIN };

struct conn {
	int fd;
	enum conn_state state;
	long long accepted, deadline;	/* ms, monotonic */
	size_t got;
	char *req;			/* HTTP_MAX_REQ + 1, while reading */
	char *resp;
	size_t resp_len, sent;
	SSL *ssl;			/* with TLS */
	short want;			/* what TLS waits for, else 0 */
};

static int listen_fd = -1, stop_pipe[2] = { -1, -1 };
static pthread_t thread;
static int running;
static struct hs_maps maps;	/* the thread's own copy */
static struct conn conns[HTTP_MAX_CONNS];
static struct hs_webconfig web;	/* --web-config */
static SSL_CTX *tls;
static unsigned char auth_ok[AUTH_CACHE][32];
static int auth_ok_n, auth_ok_next;

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* The last OpenSSL error, as text */
static const char *tls_error(void)
{
	static char buf[256];
	unsigned long e = ERR_get_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;

	if (e && !r)
		ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	return r ? r : e ? buf : "unknown TLS error";
}

/* --web-config: read, check, and make the TLS context; dies */
static void web_setup(void)
{
	char err[512];

	if (hs_webconfig_load(env.web_config, &web, err, sizeof(err)))
		die("%s", err);
	if (!web.cert_file)
		return;
	if (access(web.cert_file, R_OK))
		die("cannot read TLS certificate %s: %s", web.cert_file, strerror(errno));
	if (access(web.key_file, R_OK))
		die("cannot read TLS key %s: %s", web.key_file, strerror(errno));
	tls = SSL_CTX_new(TLS_server_method());
	if (!tls)
		die("TLS: %s", tls_error());
	SSL_CTX_set_min_proto_version(tls, TLS1_2_VERSION);
	SSL_CTX_set_mode(tls, SSL_MODE_ENABLE_PARTIAL_WRITE |
			 SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if (SSL_CTX_use_certificate_chain_file(tls, web.cert_file) != 1)
		die("cannot use TLS certificate %s: %s", web.cert_file, tls_error());
	if (SSL_CTX_use_PrivateKey_file(tls, web.key_file, SSL_FILETYPE_PEM) != 1)
		die("cannot use TLS key %s: %s", web.key_file, tls_error());
	if (SSL_CTX_check_private_key(tls) != 1)
		die("TLS key %s does not match certificate %s", web.key_file, web.cert_file);
}

/* Bind before anything is attached: a busy port leaves nothing behind. */
void http_bind(void)
{
	char addr[INET_ADDRSTRLEN];
	int one = 1;

	inet_ntop(AF_INET, &env.listen_addr.sin_addr, addr, sizeof(addr));
	if (env.web_config)
		web_setup();
	else if ((ntohl(env.listen_addr.sin_addr.s_addr) >> 24) != 127)
		fprintf(stderr, "hcallstat: warning: --listen %s:%d serves the metrics to the "
			"network without TLS or authentication (see --web-config)\n", addr,
			ntohs(env.listen_addr.sin_port));
	listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (listen_fd < 0)
		die("socket: %s", strerror(errno));
	setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(listen_fd, (struct sockaddr *)&env.listen_addr, sizeof(env.listen_addr)) ||
	    listen(listen_fd, HTTP_BACKLOG))
		die("cannot listen on %s:%d: %s", addr, ntohs(env.listen_addr.sin_port),
		    strerror(errno));
}

static void conn_close(struct conn *c)
{
	SSL_free(c->ssl);
	close(c->fd);
	free(c->req);
	free(c->resp);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

/* The answer, whole, then the connection only drains. */
static void respond_h(struct conn *c, const char *status, const char *type,
		      const char *extra, const char *body, size_t len)
{
	char head[384];
	int hl;

	hl = snprintf(head, sizeof(head), "HTTP/1.1 %s\r\n%s%s%s%sContent-Length: %zu\r\n"
		      "Connection: close\r\n\r\n", status, type ? "Content-Type: " : "",
		      type ? type : "", type ? "\r\n" : "", extra ? extra : "", len);
	free(c->req);
	c->req = NULL;
	c->resp = malloc(hl + len);
	if (!c->resp) {
		conn_close(c);
		return;
	}
	memcpy(c->resp, head, hl);
	memcpy(c->resp + hl, body, len);
	c->resp_len = hl + len;
	c->sent = 0;
	c->state = C_SEND;
	c->deadline = now_ms() + HTTP_SEND_MS;
}

static void respond(struct conn *c, const char *status, const char *type,
		    const char *body, size_t len)
{
	respond_h(c, status, type, NULL, body, len);
}

/* The value of header NAME (case-insensitive) in the head after eol, in
 * buf; NULL if absent */
static const char *header(const char *eol, const char *name, char *buf, size_t size)
{
	size_t nl = strlen(name);

	for (const char *l = eol; l && *l; l = strchr(l, '\n')) {
		size_t vl;

		l += strspn(l, "\r\n");
		if (strncasecmp(l, name, nl) || l[nl] != ':')
			continue;
		l += nl + 1;
		l += strspn(l, " \t");
		vl = strcspn(l, "\r\n");
		while (vl && (l[vl - 1] == ' ' || l[vl - 1] == '\t'))
			vl--;
		if (vl >= size)
			return NULL;
		memcpy(buf, l, vl);
		buf[vl] = '\0';
		return buf;
	}
	return NULL;
}

/* Basic auth against the web config's users; 1 if allowed */
static int authorized(const char *eol)
{
	static struct crypt_data cd;	/* ~32 KiB: this thread's only */
	char value[1024], cred[800], *pass;
	unsigned char digest[32];
	const char *hash, *out;
	size_t b64, pad = 0;
	int n, ok = 0;

	if (!web.nusers)
		return 1;
	if (!header(eol, "Authorization", value, sizeof(value)) ||
	    strncasecmp(value, "Basic ", 6))
		return 0;
	b64 = strlen(value + 6);
	if (!b64 || b64 % 4 || b64 / 4 * 3 >= sizeof(cred))
		return 0;
	n = EVP_DecodeBlock((unsigned char *)cred, (unsigned char *)value + 6, b64);
	if (n < 0)
		return 0;
	pad = (value[6 + b64 - 1] == '=') + (value[6 + b64 - 2] == '=');
	n -= pad;
	cred[n] = '\0';
	if ((int)strlen(cred) != n || !(pass = strchr(cred, ':')))
		return 0;
	if (!EVP_Digest(cred, n, digest, NULL, EVP_sha256(), NULL))
		return 0;
	for (int i = 0; i < auth_ok_n; i++)
		if (!CRYPTO_memcmp(auth_ok[i], digest, sizeof(digest)))
			return 1;
	*pass++ = '\0';
	/* an unknown user costs a bcrypt too: the time tells nothing */
	hash = web.users[0].hash;
	for (int i = 0; i < web.nusers; i++)
		if (!strcmp(web.users[i].name, cred)) {
			hash = web.users[i].hash;
			ok = 1;
		}
	out = crypt_r(pass, hash, &cd);
	ok = ok && out && strlen(out) == strlen(hash) && !CRYPTO_memcmp(out, hash, strlen(hash));
	if (ok) {
		memcpy(auth_ok[auth_ok_next], digest, sizeof(digest));
		auth_ok_next = (auth_ok_next + 1) % AUTH_CACHE;
		if (auth_ok_n < AUTH_CACHE)
			auth_ok_n++;
	}
	explicit_bzero(cred, sizeof(cred));
	explicit_bzero(value, sizeof(value));
	return ok;
}

/* One rendering per format and poll round, shared by its scrapes. */
struct rendering {
	char *body;
	size_t len;
	int done, err;
};

static void render(struct rendering *r, int om)
{
	FILE *f;

	if (r->done)
		return;
	r->done = 1;
	f = open_memstream(&r->body, &r->len);
	if (!f) {
		r->err = -errno;
		return;
	}
	r->err = render_metrics(&maps, f, om);
	if (fclose(f) && !r->err)
		r->err = -EIO;
}

#define OM_TYPE "application/openmetrics-text; version=1.0.0; charset=utf-8"
#define TEXT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* A whole request head is in c->req: answer it. */
static void handle(struct conn *c, struct rendering rend[2])
{
	char *sp1 = strchr(c->req, ' '), *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
	char *eol = strpbrk(c->req, "\r\n");
	size_t tlen;
	int om;

	/* METHOD SP TARGET SP HTTP/x.y on the first line, or it is garbage */
	if (!sp1 || !sp2 || !eol || sp2 > eol || sp1 == c->req ||
	    strncmp(sp2 + 1, "HTTP/1.", 7)) {
		respond(c, "400 Bad Request", NULL, "", 0);
		return;
	}
	if (!authorized(eol)) {
		respond_h(c, "401 Unauthorized", NULL,
			  "WWW-Authenticate: Basic realm=\"hcallstat\"\r\n", "", 0);
		return;
	}
	tlen = sp2 - sp1 - 1;
	if (tlen < 8 || strncmp(sp1 + 1, "/metrics", 8) ||
	    (tlen > 8 && sp1[9] != '?')) {
		respond(c, "404 Not Found", NULL, "", 0);
		return;
	}
	if (sp1 - c->req != 3 || strncmp(c->req, "GET", 3)) {
		respond(c, "405 Method Not Allowed", NULL, "", 0);
		return;
	}
	/* OpenMetrics for who asks for it (Prometheus does) */
	om = strstr(eol, "application/openmetrics-text") != NULL;
	render(&rend[om], om);
	if (rend[om].err)
		respond(c, "500 Internal Server Error", NULL, "", 0);
	else
		respond(c, "200 OK", om ? OM_TYPE : TEXT_TYPE, rend[om].body, rend[om].len);
}

/* TLS's answer to a call that did not finish: -1 with errno EAGAIN (and
 * what to wait for in c->want), or 0 when the connection is over */
static ssize_t tls_again(struct conn *c, int r)
{
	switch (SSL_get_error(c->ssl, r)) {
	case SSL_ERROR_WANT_READ:
		c->want = POLLIN;
		break;
	case SSL_ERROR_WANT_WRITE:
		c->want = POLLOUT;
		break;
	default:	/* a plain HTTP client, a bad handshake, a reset: close */
		ERR_clear_error();
		return 0;
	}
	errno = EAGAIN;
	return -1;
}

/* recv() or SSL_read(): >0 bytes, 0 at the end, -1 with errno */
static ssize_t conn_recv(struct conn *c, void *buf, size_t len)
{
	int r;

	c->want = 0;
	if (!c->ssl)
		return recv(c->fd, buf, len, 0);
	r = SSL_read(c->ssl, buf, len > INT_MAX ? INT_MAX : (int)len);
	return r > 0 ? r : tls_again(c, r);
}

static ssize_t conn_send(struct conn *c, const void *buf, size_t len)
{
	int r;

	c->want = 0;
	if (!c->ssl)
		return send(c->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
	r = SSL_write(c->ssl, buf, len > INT_MAX ? INT_MAX : (int)len);
	return r > 0 ? r : tls_again(c, r);
}

static void on_readable(struct conn *c, struct rendering rend[2])
{
	char sink[4096];
	ssize_t n;

	if (c->state == C_DRAIN) {	/* raw bytes, TLS or not: dropped */
		n = recv(c->fd, sink, sizeof(sink), 0);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			conn_close(c);
		return;
	}
	do {	/* TLS may hold decrypted bytes poll() cannot see */
		n = conn_recv(c, c->req + c->got, HTTP_MAX_REQ - c->got);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			conn_close(c);	/* gone before asking */
			return;
		}
		if (n < 0)
			return;
		c->got += n;
		c->req[c->got] = '\0';
		if (memchr(c->req, '\0', c->got)) {
			respond(c, "400 Bad Request", NULL, "", 0);
			return;
		}
		if (strstr(c->req, "\r\n\r\n") || strstr(c->req, "\n\n"))
			handle(c, rend);
		else if (c->got == HTTP_MAX_REQ)
			respond(c, "431 Request Header Fields Too Large", NULL, "", 0);
	} while (c->state == C_READ && c->ssl && SSL_pending(c->ssl) > 0);
}

static void on_writable(struct conn *c)
{
	ssize_t n = conn_send(c, c->resp + c->sent, c->resp_len - c->sent);

	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			conn_close(c);
		return;
	}
	c->sent += n;
	if (c->sent < c->resp_len)
		return;
	free(c->resp);
	c->resp = NULL;
	if (c->ssl)	/* close_notify, if the socket takes it now */
		SSL_shutdown(c->ssl);
	shutdown(c->fd, SHUT_WR);
	c->state = C_DRAIN;
	c->deadline = now_ms() + HTTP_DRAIN_MS;
}

static void on_deadline(struct conn *c)
{
	if (c->state == C_READ)	/* too slow: say so, then close */
		respond(c, "408 Request Timeout", NULL, "", 0);
	else
		conn_close(c);
}

/* A free slot, making one from the oldest slow reader if need be. */
static struct conn *free_slot(long long now)
{
	struct conn *oldest = NULL;

	for (int i = 0; i < HTTP_MAX_CONNS; i++) {
		if (conns[i].state == C_FREE)
			return &conns[i];
		if (conns[i].state == C_READ && now - conns[i].accepted >= HTTP_EVICT_MS &&
		    (!oldest || conns[i].accepted < oldest->accepted))
			oldest = &conns[i];
	}
	if (oldest)
		conn_close(oldest);
	return oldest;
}

/* Accept what is pending; 0, or -1 when no slot is free. */
static int accept_all(void)
{
	for (;;) {
		long long now = now_ms();
		struct conn *c = free_slot(now);
		int fd;

		if (!c)
			return -1;
		fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd < 0)	/* out of fds: like full, retry after a pause */
			return errno == EAGAIN || errno == EINTR || errno == ECONNABORTED ? 0 : -1;
		c->req = malloc(HTTP_MAX_REQ + 1);
		if (!c->req) {
			close(fd);
			continue;
		}
		if (tls) {
			c->ssl = SSL_new(tls);
			if (!c->ssl || !SSL_set_fd(c->ssl, fd)) {
				SSL_free(c->ssl);
				c->ssl = NULL;
				free(c->req);
				c->req = NULL;
				close(fd);
				continue;
			}
			SSL_set_accept_state(c->ssl);
		}
		c->want = 0;
		c->fd = fd;
		c->state = C_READ;
		c->got = 0;
		c->accepted = now;
		c->deadline = now + HTTP_REQ_MS;
	}
}

static void *http_main(void *arg)
{
	static struct pollfd pfd[HTTP_MAX_CONNS + 2];
	static int idx[HTTP_MAX_CONNS + 2];
	int full = 0;
	sigset_t pipe_sig;

	(void)arg;
	/* OpenSSL writes with write(): a client gone mid-answer must give
	 * EPIPE here, not a SIGPIPE that ends the tracer */
	sigemptyset(&pipe_sig);
	sigaddset(&pipe_sig, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_sig, NULL);
	for (;;) {
		struct rendering rend[2] = {};
		long long now = now_ms(), wake = -1;
		int n = 0, timeout;

		pfd[n++] = (struct pollfd){ .fd = stop_pipe[0], .events = POLLIN };
		/* when full, look again after the oldest reader may be evicted */
		pfd[n++] = (struct pollfd){ .fd = full ? -1 : listen_fd, .events = POLLIN };
		for (int i = 0; i < HTTP_MAX_CONNS; i++) {
			struct conn *c = &conns[i];

			if (c->state == C_FREE)
				continue;
			if (wake < 0 || c->deadline < wake)
				wake = c->deadline;
			if (full && c->state == C_READ &&
			    (wake < 0 || c->accepted + HTTP_EVICT_MS < wake))
				wake = c->accepted + HTTP_EVICT_MS;
			idx[n] = i;
			pfd[n++] = (struct pollfd){ .fd = c->fd,
				.events = c->state != C_DRAIN && c->want ? c->want :
					  c->state == C_SEND ? POLLOUT : POLLIN };
		}
		timeout = wake < 0 ? -1 : wake > now ? (int)(wake - now) : 0;
		if (full && (timeout < 0 || timeout > 50))
			timeout = 50;	/* out of fds: retry soon */
		if (poll(pfd, n, timeout) < 0 && errno != EINTR)
			continue;
		if (pfd[0].revents)
			break;
		for (int k = 2; k < n; k++) {
			struct conn *c = &conns[idx[k]];

			if (!pfd[k].revents)
				continue;
			/* whatever TLS waited for, the call is made again */
			if (c->state == C_SEND)
				on_writable(c);
			else
				on_readable(c, rend);
		}
		now = now_ms();
		for (int i = 0; i < HTTP_MAX_CONNS; i++)
			if (conns[i].state != C_FREE && conns[i].deadline <= now)
				on_deadline(&conns[i]);
		full = accept_all() < 0;
		free(rend[0].body);
		free(rend[1].body);
	}
	for (int i = 0; i < HTTP_MAX_CONNS; i++)
		if (conns[i].state != C_FREE)
			conn_close(&conns[i]);
	return NULL;
}

void http_start(const struct hs_maps *m)
{
	maps = *m;
	for (int i = 0; i < HTTP_MAX_CONNS; i++)
		conns[i].fd = -1;
	if (pipe2(stop_pipe, O_CLOEXEC))
		die("pipe: %s", strerror(errno));
	if (pthread_create(&thread, NULL, http_main, NULL))
		die("cannot start the HTTP thread");
	running = 1;
}

void http_stop(void)
{
	if (running) {
		if (write(stop_pipe[1], "x", 1) != 1)
			shutdown(listen_fd, SHUT_RDWR);
		pthread_join(thread, NULL);
		running = 0;
	}
	for (int i = 0; i < 2; i++) {
		if (stop_pipe[i] >= 0)
			close(stop_pipe[i]);
		stop_pipe[i] = -1;
	}
	if (listen_fd >= 0)
		close(listen_fd);
	listen_fd = -1;
	SSL_CTX_free(tls);
	tls = NULL;
	hs_webconfig_free(&web);
}
