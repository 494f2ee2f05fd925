/*
 * libsrtp-bench.c - SRTP protect/unprotect throughput of the libsrtp2 it is linked with, single thread.
 *
 * Usage: libsrtp-bench [-t SECONDS] [-b BATCH] [-w WARMUP_PACKETS] SIZE...
 *   SIZE     RTP packet length before protection (12-byte header + payload), e.g. 172 (PCMU 20 ms) or 1372
 *   SECONDS  measured protect time per suite/size (default 2; unprotect runs the same rounds; at least 5 rounds)
 *   BATCH    packets per round (default 2048, the same batch as bench/OpenUM.Bench/SrtpBenchmark.cs)
 *   WARMUP   packets protected and unprotected per suite/size before measuring (default 20000)
 *
 * Each round writes BATCH plain RTP packets with consecutive sequence numbers into one buffer (not timed),
 * protects them all (timed), then unprotects the packets it has just protected with a receiving context
 * (timed separately) and checks that every call succeeded and returned the original length. Only the
 * protect loop and the unprotect loop are inside the clock, so neither includes packet preparation.
 *
 * Output, one line per suite/operation/size: packets/s of the median round (BATCH / median round time), then
 * packets/s over all rounds (total packets / total time), the number of rounds and the batch:
 *   libsrtp2 AES_CM_128_HMAC_SHA1_80 protect 172 1234567 mean=1200000 rounds=500 batch=2048
 *   libsrtp2 AEAD_AES_128_GCM unsupported 172 srtp_create=NN
 * and a first line: libsrtp2-version <version string> (the crypto backend is what the library links).
 */
#define _POSIX_C_SOURCE 199309L
#include <srtp2/srtp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define RTP_HEADER 12

typedef void (*policy_setter)(srtp_crypto_policy_t *);

struct suite {
    const char *name;        /* SDES name, as OpenUM's SrtpSuites prints it */
    policy_setter rtp;
    policy_setter rtcp;
    int master_len;          /* key || salt */
};

/* srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80 is a macro for the rtp_default function. */
static void set_cm128_80(srtp_crypto_policy_t *p) { srtp_crypto_policy_set_rtp_default(p); }

static const struct suite suites[] = {
    {"AES_CM_128_HMAC_SHA1_80", set_cm128_80, srtp_crypto_policy_set_rtcp_default, SRTP_AES_ICM_128_KEY_LEN_WSALT},
    {"AES_CM_128_HMAC_SHA1_32", srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32, srtp_crypto_policy_set_rtcp_default,
     SRTP_AES_ICM_128_KEY_LEN_WSALT},
    {"AES_256_CM_HMAC_SHA1_80", srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80,
     srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80, SRTP_AES_ICM_256_KEY_LEN_WSALT},
    {"AES_256_CM_HMAC_SHA1_32", srtp_crypto_policy_set_aes_cm_256_hmac_sha1_32,
     srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80, SRTP_AES_ICM_256_KEY_LEN_WSALT},
    {"AEAD_AES_128_GCM", srtp_crypto_policy_set_aes_gcm_128_16_auth, srtp_crypto_policy_set_aes_gcm_128_16_auth,
     SRTP_AES_GCM_128_KEY_LEN_WSALT},
    {"AEAD_AES_256_GCM", srtp_crypto_policy_set_aes_gcm_256_16_auth, srtp_crypto_policy_set_aes_gcm_256_16_auth,
     SRTP_AES_GCM_256_KEY_LEN_WSALT},
};

struct pair {
    srtp_t tx, rx;
    uint16_t seq;
    uint32_t ts;
};

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static srtp_err_status_t make(const struct suite *s, uint8_t *key, srtp_ssrc_type_t dir, srtp_t *out)
{
    srtp_policy_t p;
    memset(&p, 0, sizeof p);
    s->rtp(&p.rtp);
    s->rtcp(&p.rtcp);
    p.ssrc.type = dir;
    p.key = key;
    p.window_size = 128; /* OpenUM's default replay window */
    return srtp_create(out, &p);
}

/* Plain RTP: V=2, PT 0 (PCMU), consecutive sequence numbers, timestamp +160, fixed SSRC, payload 0xd5. */
static void fill(struct pair *c, uint8_t *buf, int slot, int batch, int size)
{
    for (int i = 0; i < batch; i++) {
        uint8_t *p = buf + (size_t)i * slot;
        p[0] = 0x80;
        p[1] = 0x00;
        p[2] = (uint8_t)(c->seq >> 8);
        p[3] = (uint8_t)c->seq;
        p[4] = (uint8_t)(c->ts >> 24);
        p[5] = (uint8_t)(c->ts >> 16);
        p[6] = (uint8_t)(c->ts >> 8);
        p[7] = (uint8_t)c->ts;
        p[8] = 0x12; p[9] = 0x34; p[10] = 0x56; p[11] = 0x78;
        memset(p + RTP_HEADER, 0xd5, (size_t)(size - RTP_HEADER));
        c->seq++;
        c->ts += 160;
    }
}

/* One round: adds the protect and unprotect times, or exits on any failure. */
static void round_trip(const struct suite *s, struct pair *c, uint8_t *buf, int *lens, int slot, int batch, int size,
                       double *t_protect, double *t_unprotect)
{
    fill(c, buf, slot, batch, size);
    double t0 = now();
    for (int i = 0; i < batch; i++) {
        int len = size;
        srtp_err_status_t st = srtp_protect(c->tx, buf + (size_t)i * slot, &len);
        if (st != srtp_err_status_ok) {
            fprintf(stderr, "%s: srtp_protect failed (%d) at packet %d\n", s->name, (int)st, i);
            exit(1);
        }
        lens[i] = len;
    }
    double t1 = now();
    for (int i = 0; i < batch; i++) {
        int len = lens[i];
        srtp_err_status_t st = srtp_unprotect(c->rx, buf + (size_t)i * slot, &len);
        if (st != srtp_err_status_ok || len != size) {
            fprintf(stderr, "%s: srtp_unprotect failed (%d, len %d) at packet %d\n", s->name, (int)st, len, i);
            exit(1);
        }
    }
    double t2 = now();
    /* Cheap check that unprotect really decrypted (outside the clock). */
    if (buf[RTP_HEADER] != 0xd5 || buf[(size_t)(batch - 1) * slot + size - 1] != 0xd5) {
        fprintf(stderr, "%s: unprotected payload differs from the original\n", s->name);
        exit(1);
    }
    *t_protect += t1 - t0;
    *t_unprotect += t2 - t1;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    double seconds = 2.0;
    long warmup = 20000;
    int batch = 2048, opt;
    while ((opt = getopt(argc, argv, "t:b:w:")) != -1) {
        switch (opt) {
        case 't': seconds = atof(optarg); break;
        case 'b': batch = atoi(optarg); break;
        case 'w': warmup = atol(optarg); break;
        default: goto usage;
        }
    }
    if (optind >= argc || !(seconds > 0) || batch <= 0 || warmup < 0) {
    usage:
        fprintf(stderr, "usage: %s [-t SECONDS] [-b BATCH] [-w WARMUP_PACKETS] SIZE...\n", argv[0]);
        return 2;
    }
    if (srtp_init() != srtp_err_status_ok) {
        fprintf(stderr, "srtp_init failed\n");
        return 1;
    }
    printf("libsrtp2-version %s\n", srtp_get_version_string());
    fflush(stdout);

    uint8_t key[SRTP_MAX_KEY_LEN];
    for (int i = 0; i < (int)sizeof key; i++)
        key[i] = (uint8_t)(i * 7 + 1);

    for (size_t k = 0; k < sizeof suites / sizeof suites[0]; k++) {
        const struct suite *s = &suites[k];
        for (int a = optind; a < argc; a++) {
            int size = atoi(argv[a]);
            if (size < RTP_HEADER || size > 8192) {
                fprintf(stderr, "bad SIZE %s\n", argv[a]);
                return 2;
            }
            struct pair c = {NULL, NULL, 1000, 4242};
            srtp_err_status_t e1 = make(s, key, ssrc_any_outbound, &c.tx);
            srtp_err_status_t e2 = e1 == srtp_err_status_ok ? make(s, key, ssrc_any_inbound, &c.rx) : e1;
            if (e1 != srtp_err_status_ok || e2 != srtp_err_status_ok) {
                /* srtp_create fails when the library was built without the cipher (e.g. GCM). */
                printf("libsrtp2 %s unsupported %d srtp_create=%d\n", s->name, size, (int)(e1 ? e1 : e2));
                fflush(stdout);
                if (c.tx)
                    srtp_dealloc(c.tx);
                continue;
            }
            int slot = size + SRTP_MAX_TRAILER_LEN;
            uint8_t *buf = malloc((size_t)slot * batch);
            int *lens = malloc(sizeof(int) * batch);
            if (!buf || !lens)
                return 1;
            double tp = 0, tu = 0;
            for (long done = 0; done < warmup; done += batch)
                round_trip(s, &c, buf, lens, slot, batch, size, &tp, &tu);
            /* One sample per round (one batch), as one BenchmarkDotNet iteration is one batch: the median of
             * the per-round times is what the OpenUM side reports too, and is robust to a busy shared machine. */
            int cap = 1024, rounds = 0;
            double *sp = malloc(sizeof(double) * cap), *su = malloc(sizeof(double) * cap), total_p = 0, total_u = 0;
            if (!sp || !su)
                return 1;
            while (total_p < seconds || rounds < 5) {
                if (rounds == cap) {
                    cap *= 2;
                    sp = realloc(sp, sizeof(double) * cap);
                    su = realloc(su, sizeof(double) * cap);
                    if (!sp || !su)
                        return 1;
                }
                tp = tu = 0;
                round_trip(s, &c, buf, lens, slot, batch, size, &tp, &tu);
                sp[rounds] = tp;
                su[rounds] = tu;
                total_p += tp;
                total_u += tu;
                rounds++;
            }
            qsort(sp, rounds, sizeof(double), cmp_double);
            qsort(su, rounds, sizeof(double), cmp_double);
            long measured = (long)rounds * batch;
            printf("libsrtp2 %s protect %d %.0f mean=%.0f rounds=%d batch=%d\n", s->name, size,
                   batch / sp[rounds / 2], measured / total_p, rounds, batch);
            printf("libsrtp2 %s unprotect %d %.0f mean=%.0f rounds=%d batch=%d\n", s->name, size,
                   batch / su[rounds / 2], measured / total_u, rounds, batch);
            free(sp);
            free(su);
            fflush(stdout);
            free(buf);
            free(lens);
            srtp_dealloc(c.tx);
            srtp_dealloc(c.rx);
        }
    }
    srtp_shutdown();
    return 0;
}
