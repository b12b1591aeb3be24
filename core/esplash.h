/* esplash.h: the Esplash core library — include only this header.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "esplash-version.h"
#include "esplash-error.h"
#include "esplash-event.h"
#include "esplash-slip.h"
#include "esplash-command.h"
#include "esplash-chip.h"
#include "esplash-stub.h"
#include "esplash-image.h"
#include "esplash-partition.h"
#include "esplash-ihex.h"
#include "esplash-flasher-args.h"
#include "esplash-manifest.h"
#include "esplash-flash-plan.h"
#include "esplash-bundle.h"
#include "esplash-transport.h"
#include "esplash-transport-serial.h"
#include "esplash-transport-tcp.h"
#include "esplash-port.h"
#include "esplash-reset.h"
#include "esplash-device.h"
#include "esplash-flash.h"
#include "esplash-job.h"
#include "esplash-port-owner.h"
#include "esplash-attempt.h"
#include "esplash-diagnosis.h"
#include "esplash-crash.h"
#include "esplash-elf-symbols.h"
#include "esplash-monitor.h"
