/* esplash-device.h: a blocking session with a chip's ROM loader or stub.
 *
 * Run it on a worker thread. Events go to the function set with
 * esplash_device_set_event_func(), called on the thread doing the work.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include "esplash-chip.h"
#include "esplash-event.h"
#include "esplash-reset.h"
#include "esplash-transport.h"

G_BEGIN_DECLS

typedef struct {
  EsplashBefore      before;          /* default: DEFAULT_RESET */
  EsplashChipFamily  chip;            /* expected chip; UNKNOWN = detect */
  guint              baud;            /* baud after connecting; 0 = stay at 115200 */
  guint              connect_attempts;/* 0 = 7 */
  gboolean           no_stub;         /* stay with the ROM loader */
  const char        *stub_dir;        /* nullable: extra place to look first */
  /* Appended: find the fastest rate the line holds (2 Mbaud down to
   * 115200), trying @baud first when set (e.g. the rate remembered for this
   * adapter); ignored on the chip's own USB, which has no rate */
  gboolean           auto_baud;
} EsplashConnectOptions;

void esplash_connect_options_init (EsplashConnectOptions *options);

/* Security info (GET_SECURITY_INFO), when the loader has it. */
typedef struct {
  gboolean valid;
  guint32  flags;
  guint8   flash_crypt_cnt;
  guint8   key_purposes[7];
  gboolean has_chip_id;
  guint32  chip_id;
  guint32  api_version;
} EsplashSecurityInfo;

#define ESPLASH_SECURITY_SECURE_BOOT_EN        (1u << 0)
#define ESPLASH_SECURITY_SECURE_DOWNLOAD_ENABLE (1u << 2)

typedef struct {
  const EsplashChipInfo *chip;
  guint                  revision;      /* major*100 + minor */
  guint                  crystal_mhz;
  guint8                 mac[6];
  guint32                flash_id;      /* manufacturer | type<<8 | capacity<<16; 0 if unknown */
  guint32                flash_size;    /* bytes, 0 if unknown */
  EsplashSecurityInfo    security;
  gboolean               secure_download_mode;
  gboolean               stub_running;
  EsplashConsole         console;
  guint                  baud;          /* appended: the line's rate when described */
} EsplashChipDescription;

/* The chip's MAC as "aa:bb:cc:dd:ee:ff". */
char *esplash_chip_description_dup_mac (const EsplashChipDescription *desc);

#define ESPLASH_TYPE_DEVICE (esplash_device_get_type ())
G_DECLARE_FINAL_TYPE (EsplashDevice, esplash_device, ESPLASH, DEVICE, GObject)

EsplashDevice *esplash_device_new (EsplashTransport *transport);

void  esplash_device_set_event_func (EsplashDevice    *self,
                                     EsplashEventFunc  func,
                                     gpointer          user_data,
                                     GDestroyNotify    destroy);

EsplashTransport      *esplash_device_get_transport (EsplashDevice *self);
gboolean               esplash_device_is_connected  (EsplashDevice *self);
const EsplashChipInfo *esplash_device_get_chip      (EsplashDevice *self);
gboolean               esplash_device_is_stub       (EsplashDevice *self);
gboolean               esplash_device_is_secure_download_mode (EsplashDevice *self);
EsplashConsole         esplash_device_get_console   (EsplashDevice *self);
guint                  esplash_device_get_revision  (EsplashDevice *self);
/* Appended: how often the session was lost and taken up again (a reply
 * lost or damaged, the chip reset, the port gone) with the operation going
 * on from where the flash differed. */
guint                  esplash_device_get_resume_count (EsplashDevice *self);
/* Everything seen outside SLIP frames during the last connect (boot log). */
GBytes                *esplash_device_dup_boot_log  (EsplashDevice *self);
/* Boot mode value from a captured "boot:0xNN" line, -1 if none seen;
 * @download set when "waiting for download" was seen. */
gint                   esplash_device_get_boot_mode (EsplashDevice *self,
                                                     gboolean      *download);

/* Reset into the loader, sync, detect the chip, run post-connect steps,
 * upload the stub (unless no_stub or none found: then ROM mode, logged),
 * change the baud. On an already-connected session this returns TRUE at
 * once: it never syncs twice. */
gboolean esplash_device_connect  (EsplashDevice               *self,
                                  const EsplashConnectOptions *options,
                                  GCancellable                *cancellable,
                                  GError                     **error);

gboolean esplash_device_describe (EsplashDevice          *self,
                                  EsplashChipDescription *out,
                                  GCancellable           *cancellable,
                                  GError                **error);

gboolean esplash_device_read_reg  (EsplashDevice *self, guint32 address, guint32 *value,
                                   GCancellable *cancellable, GError **error);
gboolean esplash_device_write_reg (EsplashDevice *self, guint32 address, guint32 value,
                                   guint32 mask, guint32 delay_us,
                                   GCancellable *cancellable, GError **error);
/* RDID (0x9F) through the SPI user-command registers. */
gboolean esplash_device_read_flash_id (EsplashDevice *self, guint32 *flash_id,
                                       GCancellable *cancellable, GError **error);
gboolean esplash_device_change_baud   (EsplashDevice *self, guint baud,
                                       GCancellable *cancellable, GError **error);

/* Leave the loader as esptool does for @after (§7.4): picks the watchdog
 * reset where an RTS pulse would land in download mode again. Disconnects. */
gboolean esplash_device_leave (EsplashDevice *self,
                               EsplashAfter   after,
                               GCancellable  *cancellable,
                               GError       **error);

/* Closes the transport; the session is over. */
void     esplash_device_close (EsplashDevice *self);

G_END_DECLS
