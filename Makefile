# SPDX-License-Identifier: GPL-2.0-only
#
# Out-of-tree build of the KMCL modules and the project's checks.
#
#   make                 build against KDIR (default: the running kernel)
#   make install         install the modules into /lib/modules/<ver>/updates
#   make check           test everything in QEMU (installs what is missing),
#                        after a short userspace fuzzing smoke run
#   make check KERNEL=7.3  the same on the 7.3 test kernel (default: 6.12);
#                        the userspace fuzz smoke runs with the default only
#   make fuzz            the long fuzzing runs (tools/testing/fuzz/README)
#   make stress          the long concurrency stress on the KCSAN test kernel
#   make check-harness   prove that the harness fails when it should
#   make matrix          build with W=1 -Werror against every supported kernel
#   make style           checkpatch --strict and sparse
#   make demo            the samples on the in-kernel loopback VMBus
#   make bench           KMCL against a raw ring on Debian's stock kernel (not CI)
#   make kunit-tree KERNEL=7.3  kunit.py run with the tree in drivers/kmcl of
#                        the test kernel's source (a whole kernel build; not CI)

KDIR ?= /lib/modules/$(shell uname -r)/build
QEMU := tools/testing/qemu

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

install: modules
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_DIR=updates modules_install
	depmod -a $(if $(KERNELRELEASE),$(KERNELRELEASE),$(shell $(MAKE) -s -C $(KDIR) kernelrelease 2>/dev/null))

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
	rm -rf build

deps:
	$(QEMU)/deps.sh check

check:
	$(if $(filter-out 6.12,$(KERNEL)),,tools/testing/fuzz/run.sh smoke)
	KMCL_KERNEL=$(KERNEL) $(QEMU)/check.sh

fuzz:
	tools/testing/fuzz/fuzz.sh

stress:
	$(QEMU)/stress.sh

check-harness:
	$(QEMU)/check-harness.sh

matrix:
	$(QEMU)/matrix.sh

style:
	$(QEMU)/style.sh

demo:
	$(QEMU)/demo.sh

bench:
	$(QEMU)/bench.sh

kunit-tree:
	KMCL_KERNEL=$(KERNEL) $(QEMU)/kunit-tree.sh

.PHONY: all modules install clean deps check check-harness matrix style demo fuzz stress bench kunit-tree
