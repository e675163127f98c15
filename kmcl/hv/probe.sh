#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Feature probes for kmcl_hv.ko: compile one tiny function per feature
# against the target kernel and print -DKMCL_HV_HAVE_<FEATURE> for each
# that compiles. kmcl/hv/compat.h turns these into one API; nothing else
# in kmcl_hv looks at kernel versions.
#
# Usage (from Kbuild; KMCL_OBJTREE: the kernel's object tree, which since
# 6.13 is not the directory Kbuild runs in for external modules):
#   KMCL_OBJTREE=DIR probe.sh CACHE_FILE HYPERV_H COMPILER [FLAGS...]
# CACHE_FILE keeps the answer for an unchanged compiler command, kernel
# configuration, hyperv.h, hv_vmbus's exports (Module.symvers) and probe
# list, so repeated builds do not pay for the probes again. HYPERV_H is the target's include/linux/hyperv.h.

cache=$1
hyperv_h=$2
shift 2

objtree=${KMCL_OBJTREE:-.}
symvers=$objtree/Module.symvers
key=$({ cat "$0" "$hyperv_h" "$objtree/include/generated/autoconf.h" 2>/dev/null
	grep -s 'vmbus' "$symvers"
	printf '%s\n' "$@"; } | cksum)
if [ -r "$cache" ] && [ "$(head -n 1 "$cache")" = "# $key" ]; then
	tail -n +2 "$cache"
	exit 0
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kmcl_hv_probe.XXXXXX") || exit 1
[ -n "${KMCL_HV_PROBE_KEEP:-}" ] && echo "probe logs: $tmp" >&2 || trap 'rm -rf "$tmp"' EXIT

# Each probe: name, then a function body; compiled with these headers.
head='#include <linux/module.h>
#include <linux/hyperv.h>
'

# probe [-e SYMBOL] NAME BODY...: -e also requires SYMBOL in Module.symvers.
probe() {
	need_export=
	if [ "$1" = -e ]; then
		need_export=$2
		shift 2
	fi
	name=$1
	shift
	{
		printf '%s' "$head"
		printf '%s\n' "$@"
	} >"$tmp/$name.c"
	if [ -n "$need_export" ] &&
		! grep -qs "^0x[0-9a-f]*[[:space:]]$need_export[[:space:]]" "$symvers"; then
		return 0
	fi
	if "$CC_ARGV0" $CC_REST -fsyntax-only \
		-DKBUILD_MODNAME='"kmcl_hv_probe"' \
		-Werror=implicit-function-declaration \
		-Werror=incompatible-pointer-types -Werror=int-conversion \
		-Werror=return-type -Werror=discarded-qualifiers \
		-x c "$tmp/$name.c" >"$tmp/$name.log" 2>&1; then
		echo "-DKMCL_HV_HAVE_$name" >"$tmp/$name.ok"
	fi
}

CC_ARGV0=$1
shift
CC_REST="$*"

# Two compilers at a time (the build itself may run with -j2 as well).
running=0
run() {
	probe "$@" &
	running=$((running + 1))
	if [ "$running" -ge 2 ]; then
		wait
		running=0
	fi
}

# Everything kmcl_hv calls that never changed between 4.19 and 6.12: if
# this fails, the kernel is too old (or too new) and compat.h says so.
run BASELINE \
'int kmcl_probe(struct vmbus_channel *c, struct hv_device *d, struct hv_driver *drv);
static void kmcl_probe_cb(void *ctx) { }
int kmcl_probe(struct vmbus_channel *c, struct hv_device *d, struct hv_driver *drv)
{
	struct resource *res;
	const struct vmpacket_descriptor *p;
	u32 n;
	int r;

	set_channel_read_mode(c, HV_CALL_DIRECT);
	set_channel_pending_send_size(c, 0);
	n = hv_get_bytes_to_write(&c->outbound) + c->outbound.ring_datasize;
	hv_begin_read(&c->inbound);
	n += hv_end_read(&c->inbound);
	p = hv_pkt_iter_first(c);
	if (p)
		p = hv_pkt_iter_next(c, p);
	hv_pkt_iter_close(c);
	r = vmbus_open(c, 0, 0, NULL, 0, kmcl_probe_cb, NULL);
	r += vmbus_sendpacket(c, NULL, 0, 1, VM_PKT_COMP, 0);
	vmbus_close(c);
	r += vmbus_allocate_mmio(&res, d, 0, -1, 0, 0, false);
	vmbus_free_mmio(0, 0);
	r += vmbus_driver_register(drv);
	vmbus_driver_unregister(drv);
	guid_copy(&d->dev_type, &c->offermsg.offer.if_type);
	guid_copy(&d->dev_instance, &c->offermsg.offer.if_instance);
	return r + n + c->offermsg.offer.mmio_megabytes + c->rescind;
}'

run MPB_DESC \
'int (*kmcl_probe)(struct vmbus_channel *, struct vmbus_packet_mpb_array *,
		  u32, void *, u32, u64);
int (*kmcl_probe)(struct vmbus_channel *, struct vmbus_packet_mpb_array *,
		  u32, void *, u32, u64) = vmbus_sendpacket_mpb_desc;'

# 5.16: GPADLs are described by struct vmbus_gpadl.
run VMBUS_GPADL \
'int kmcl_probe(struct vmbus_channel *c, void *p, struct vmbus_gpadl *g);
int kmcl_probe(struct vmbus_channel *c, void *p, struct vmbus_gpadl *g)
{
	return vmbus_establish_gpadl(c, p, 0, g) + vmbus_teardown_gpadl(c, g) +
	       g->gpadl_handle;
}'

# 6.9 and stable: teardown says whether the buffer may be freed.
run GPADL_DECRYPTED \
'bool kmcl_probe(struct vmbus_gpadl *g);
bool kmcl_probe(struct vmbus_gpadl *g)
{
	return g->decrypted;
}'

# Gone in 6.15 and the stable kernels that took the same series; where it
# exists, vmbus_sendpacket_mpb_desc() forces a single range.
run SENDPACKET_PAGEBUFFER \
'int (*kmcl_probe)(struct vmbus_channel *, struct hv_page_buffer *, u32,
		  void *, u32, u64);
int (*kmcl_probe)(struct vmbus_channel *, struct hv_page_buffer *, u32,
		  void *, u32, u64) = vmbus_sendpacket_pagebuffer;'

# 6.3: hv_driver.remove returns void.
run REMOVE_VOID \
'void kmcl_probe_remove(struct hv_device *d);
void kmcl_probe_remove(struct hv_device *d) { }
struct hv_driver kmcl_probe = { .remove = kmcl_probe_remove };'

# 5.4: hibernation callbacks.
run DRIVER_PM \
'int kmcl_probe_pm(struct hv_device *d);
int kmcl_probe_pm(struct hv_device *d) { return 0; }
struct hv_driver kmcl_probe = { .suspend = kmcl_probe_pm,
				.resume = kmcl_probe_pm };'

# 5.14: incoming packets are copied out of the ring, at most max_pkt_size.
run MAX_PKT_SIZE \
'u32 kmcl_probe(struct vmbus_channel *c);
u32 kmcl_probe(struct vmbus_channel *c)
{
	c->max_pkt_size = VMBUS_DEFAULT_MAX_PKT_SIZE;
	return c->inbound.pkt_buffer_size;
}'

# 5.11 (5.10.y stable): the kernel can keep its own request ids.
run RQSTOR_SIZE \
'void kmcl_probe(struct vmbus_channel *c);
void kmcl_probe(struct vmbus_channel *c)
{
	c->rqstor_size = 0;
}'

# 5.14: the request-id callbacks.
run RQSTOR_CALLBACKS \
'void kmcl_probe(struct vmbus_channel *c);
void kmcl_probe(struct vmbus_channel *c)
{
	c->next_request_id_callback = NULL;
	c->request_addr_callback = NULL;
}'

run LOW_LATENCY \
'void kmcl_probe(struct vmbus_channel *c);
void kmcl_probe(struct vmbus_channel *c)
{
	c->low_latency = true;
}'

# 5.12-ish: confidential (isolated) VMs.
run HV_IS_ISOLATION \
'#include <asm/mshyperv.h>
bool kmcl_probe(void);
bool kmcl_probe(void)
{
	return hv_is_isolation_supported();
}'

# 7.x: confidential channels (a paravisor's VMBus): the offer says whether
# the ring buffers and the external memory stay encrypted.
run CO_FLAGS \
'bool kmcl_probe(struct vmbus_channel *c);
bool kmcl_probe(struct vmbus_channel *c)
{
	return c->co_ring_buffer || c->co_external_memory;
}'

# The probes below need a call hv_vmbus exports, not only a declaration
# (hyperv.h declares some functions that modules cannot link to), so they
# also look the symbol up in the kernel's Module.symvers.

# 7.3: a GPADL over a buffer the caller has already made host-visible.
run -e vmbus_establish_gpadl_caller_decrypted GPADL_CALLER_DECRYPTED \
'int kmcl_probe(struct vmbus_channel *c, void *p, struct vmbus_gpadl *g);
int kmcl_probe(struct vmbus_channel *c, void *p, struct vmbus_gpadl *g)
{
	return vmbus_establish_gpadl_caller_decrypted(c, p, PAGE_SIZE, g);
}'

# 7.3: host-visible buffers for GPADLs, decrypted chunk by chunk in a
# confidential VM (vzalloc() elsewhere), freed (re-encrypted) by the kernel.
run -e vmbus_alloc_buffer ALLOC_BUFFER \
'void *kmcl_probe(struct vmbus_channel *c, struct page ***pp, u32 *n);
void *kmcl_probe(struct vmbus_channel *c, struct page ***pp, u32 *n)
{
	void *p = vmbus_alloc_buffer(c, PAGE_SIZE, pp, n);

	vmbus_free_buffer(p, *pp, *n);
	return p;
}'

# Declared in hyperv.h since 6.x (sysfs target_cpu), not exported up to
# 7.3 at least: moving a channel's interrupts to another CPU.
run -e vmbus_channel_set_cpu CHANNEL_SET_CPU \
'int kmcl_probe(struct vmbus_channel *c);
int kmcl_probe(struct vmbus_channel *c)
{
	return vmbus_channel_set_cpu(c, 0);
}'

# Confidential VMs: make pages visible to the host (x86 since 4.14).
run SET_MEMORY_DECRYPTED \
'#include <linux/set_memory.h>
int kmcl_probe(unsigned long a);
int kmcl_probe(unsigned long a)
{
	return set_memory_decrypted(a, 1) ?: set_memory_encrypted(a, 1);
}'

wait
out=$(cat "$tmp"/*.ok 2>/dev/null | sort | tr '\n' ' ')
mkdir -p "$(dirname "$cache")"
{ echo "# $key"; echo "$out"; } >"$tmp/cache" && mv -f "$tmp/cache" "$cache"
echo "$out"
