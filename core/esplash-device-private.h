/* esplash-device-private.h: what esplash-flash.c and friends use.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "esplash-command.h"
#include "esplash-device.h"

G_BEGIN_DECLS

/* Send one command and wait for its response (matching opcode), at most
 * @timeout_ms. Checks the status (ESPLASH_ERROR_DEVICE) unless @out is
 * non-NULL and @check is FALSE. */
gboolean esplash_device_command (EsplashDevice   *self,
                                 guint8           opcode,
                                 GBytes          *data,       /* nullable */
                                 guint32          checksum,
                                 gsize            expected_payload,
                                 guint            timeout_ms,
                                 gboolean         check,
                                 EsplashResponse *out,        /* nullable */
                                 GCancellable    *cancellable,
                                 GError         **error);

/* Send raw SLIP frame (no header), e.g. READ_FLASH acks. */
gboolean esplash_device_send_frame (EsplashDevice *self, const guint8 *data, gsize len,
                                    GError **error);
/* Read one raw SLIP frame, at most @timeout_ms. */
GBytes  *esplash_device_read_frame (EsplashDevice *self, guint timeout_ms,
                                    GCancellable *cancellable, GError **error);

void     esplash_device_emit       (EsplashDevice *self, const EsplashEvent *event);
void     esplash_device_log        (EsplashDevice *self, EsplashLogLevel level,
                                    const char *format, ...) G_GNUC_PRINTF (3, 4);
void     esplash_device_stage      (EsplashDevice *self, EsplashStage stage);

guint    esplash_device_flash_block_size (EsplashDevice *self);  /* per ROM/stub/USB-OTG */
guint    esplash_device_ram_block_size   (EsplashDevice *self);
/* Detected (or set) flash size in bytes; 0 if unknown. */
guint32  esplash_device_get_flash_size   (EsplashDevice *self);
gboolean esplash_device_ensure_flash_attached (EsplashDevice *self, GCancellable *cancellable,
                                               GError **error);
gboolean esplash_device_set_flash_params (EsplashDevice *self, guint32 size,
                                          GCancellable *cancellable, GError **error);

G_END_DECLS
