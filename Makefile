# SPDX-License-Identifier: GPL-2.0-only
#
# Out-of-tree build of the KMCL modules and the project's checks.
#
#   make                 build against KDIR (default: the running kernel)
#   make install         install the modules into /lib/modules/<ver>/updates
#   make check           test everything in QEMU (installs what is missing)
#   make check-harness   prove that the harness fails when it should
#   make matrix          build with W=1 -Werror against every supported kernel
#   make style           checkpatch --strict and sparse
#   make demo            the samples on the in-kernel loopback VMBus
#   make bench           KMCL against a raw ring on Debian's stock kernel (not CI)

KDIR ?= /lib/modules/$(shell uname -r)/build
QEMU := tools/testing/qemu

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

install: modules
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install
	depmod -a $(if $(KERNELRELEASE),$(KERNELRELEASE),$(shell $(MAKE) -s -C $(KDIR) kernelrelease 2>/dev/null))

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
	rm -rf build

deps:
	$(QEMU)/deps.sh check

check:
	$(QEMU)/check.sh

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

.PHONY: all modules install clean deps check check-harness matrix style demo bench
