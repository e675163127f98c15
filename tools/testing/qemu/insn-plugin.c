// SPDX-License-Identifier: GPL-2.0-only
/*
 * A QEMU TCG plugin for `make bench KMCL_BENCH_EXACT=1` (bench.sh): counts
 * how many times each translated block of guest kernel code runs and,
 * when QEMU exits, writes one line per block to the file given as
 * "out=PATH": "ADDRESS INSNS RUNS" (hex address of the block's first
 * instruction, its instruction count, how often it ran). bench-exact.py
 * turns two such files (two packet counts) into instructions per packet,
 * function by function.
 *
 * Debian's QEMU can load plugins but ships no plugin header, so the few
 * entry points used here are declared below, as in QEMU's plugin API
 * version 1 (QEMU 4.2 and later). The counters are plain adds: exact when
 * the guest runs on one host thread (-accel tcg,thread=single).
 *
 * Build: gcc -O2 -shared -fPIC -o insn-plugin.so insn-plugin.c -lpthread
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
typedef struct qemu_info_t qemu_info_t;
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id,
					       struct qemu_plugin_tb *tb);
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id,
					   qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb,
					      enum qemu_plugin_op op,
					      void *ptr, uint64_t imm);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id,
				    qemu_plugin_udata_cb_t cb, void *userdata);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

/* Guest kernel addresses only: user space and firmware are not counted. */
#define KERNEL_START	0xffff800000000000ULL
#define CHUNK		4096

struct block {
	uint64_t vaddr;
	uint64_t runs;
	uint32_t insns;
};

struct chunk {
	struct chunk *next;
	size_t used;
	struct block b[CHUNK];
};

static struct chunk *chunks;
static pthread_mutex_t chunks_lock = PTHREAD_MUTEX_INITIALIZER;
static const char *out_path;

/* A new record for every translation: records never move once handed out. */
static struct block *new_block(void)
{
	struct block *b = NULL;
	struct chunk *c;

	pthread_mutex_lock(&chunks_lock);
	if (!chunks || chunks->used == CHUNK) {
		c = calloc(1, sizeof(*c));
		if (c) {
			c->next = chunks;
			chunks = c;
		}
	}
	if (chunks && chunks->used < CHUNK)
		b = &chunks->b[chunks->used++];
	pthread_mutex_unlock(&chunks_lock);
	return b;
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	uint64_t vaddr = qemu_plugin_tb_vaddr(tb);
	struct block *b;

	if (vaddr < KERNEL_START)
		return;
	b = new_block();
	if (!b)
		return;
	b->vaddr = vaddr;
	b->insns = qemu_plugin_tb_n_insns(tb);
	qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64,
						 &b->runs, 1);
}

static void at_exit(qemu_plugin_id_t id, void *userdata)
{
	struct chunk *c;
	size_t i;
	FILE *f;

	f = fopen(out_path, "w");
	if (!f) {
		perror(out_path);
		return;
	}
	for (c = chunks; c; c = c->next)
		for (i = 0; i < c->used; i++)
			if (c->b[i].runs)
				fprintf(f, "%" PRIx64 " %u %" PRIu64 "\n",
					c->b[i].vaddr, c->b[i].insns,
					c->b[i].runs);
	fclose(f);
}

__attribute__((visibility("default")))
int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
			int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++)
		if (!strncmp(argv[i], "out=", 4))
			out_path = argv[i] + 4;
	if (!out_path) {
		fprintf(stderr, "insn-plugin: out=PATH is required\n");
		return -1;
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
	qemu_plugin_register_atexit_cb(id, at_exit, NULL);
	return 0;
}
