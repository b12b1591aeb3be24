/* esplash-port-url.h: network port URLs (in-tree only).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  gboolean  rfc2217;              /* else raw socket:// */
  char     *host;                 /* without brackets */
  guint16   port;
  gboolean  ignore_control_acks;  /* rfc2217 ?ign_set_control */
  guint     ack_timeout_ms;       /* rfc2217 ?timeout=; 0 = default */
} EsplashPortUrl;

gboolean esplash_port_url_parse (const char      *url,
                                 EsplashPortUrl  *out,
                                 GError         **error);
void     esplash_port_url_clear (EsplashPortUrl  *url);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (EsplashPortUrl, esplash_port_url_clear)

G_END_DECLS
