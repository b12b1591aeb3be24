/* esplash-port-url.c: network port URLs (pure): socket://HOST:PORT and
 * rfc2217://HOST:PORT?options.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "esplash-error.h"
#include "esplash-port-url.h"

static gboolean
url_error (GError     **error,
           const char  *url,
           const char  *scheme,
           const char  *why)
{
  g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_ARGUMENT,
               "Invalid port URL “%s”: %s; expected %s://HOST:PORT", url, why, scheme);
  return FALSE;
}

static gboolean
parse_options (const char      *url,
               const char      *options,
               EsplashPortUrl  *self,
               GError         **error)
{
  g_auto(GStrv) items = g_strsplit (options, "&", -1);

  for (guint i = 0; items[i] != NULL; i++)
    {
      const char *item = items[i];

      if (*item == '\0' || g_str_has_prefix (item, "logging=") ||
          g_str_equal (item, "poll_modem"))
        continue;
      if (self->rfc2217 && g_str_equal (item, "ign_set_control"))
        {
          self->ignore_control_acks = TRUE;
          continue;
        }
      if (self->rfc2217 && g_str_has_prefix (item, "timeout="))
        {
          double seconds = g_ascii_strtod (item + strlen ("timeout="), NULL);

          if (seconds <= 0 || seconds > 60)
            return url_error (error, url, "rfc2217", "the timeout option needs 0 < seconds ≤ 60");
          self->ack_timeout_ms = (guint) (seconds * 1000);
          continue;
        }
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_ARGUMENT,
                   "Invalid port URL “%s”: unknown option “%s”", url, item);
      return FALSE;
    }
  return TRUE;
}

/**
 * esplash_port_url_parse:
 * @url: "socket://HOST:PORT" or "rfc2217://HOST:PORT[?options]"
 * @out: (out caller-allocates): the parts; clear with esplash_port_url_clear()
 *
 * Strict HOST:PORT; IPv6 literals in brackets. rfc2217 options (pyserial's
 * spelling): `ign_set_control`, `timeout=SECONDS` (for acknowledgements),
 * `logging=…` and `poll_modem` (ignored).
 *
 * Returns: %FALSE with %ESPLASH_ERROR_INVALID_ARGUMENT for a bad URL
 */
gboolean
esplash_port_url_parse (const char      *url,
                        EsplashPortUrl  *self,
                        GError         **error)
{
  const char *scheme;
  const char *rest;
  const char *query;
  g_autofree char *authority = NULL;
  g_autofree char *host = NULL;
  const char *port_str;
  guint64 port = 0;
  gsize len;

  memset (self, 0, sizeof *self);
  if (g_ascii_strncasecmp (url, "rfc2217://", strlen ("rfc2217://")) == 0)
    self->rfc2217 = TRUE;
  else if (g_ascii_strncasecmp (url, "socket://", strlen ("socket://")) != 0)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_ARGUMENT,
                   "Invalid network port URL “%s”: use socket://HOST:PORT or "
                   "rfc2217://HOST:PORT", url);
      return FALSE;
    }
  scheme = self->rfc2217 ? "rfc2217" : "socket";
  rest = strstr (url, "://") + 3;
  query = strchr (rest, '?');
  len = query != NULL ? (gsize) (query - rest) : strlen (rest);
  if (len > 0 && rest[len - 1] == '/')
    len--;
  authority = g_strndup (rest, len);

  if (authority[0] == '[')
    {
      const char *close = strchr (authority, ']');

      if (close == NULL)
        return url_error (error, url, scheme, "unterminated “[” in the host");
      host = g_strndup (authority + 1, (gsize) (close - authority - 1));
      if (close[1] != ':')
        return url_error (error, url, scheme, "no port number");
      port_str = close + 2;
    }
  else
    {
      const char *colon = strrchr (authority, ':');

      if (colon == NULL)
        return url_error (error, url, scheme, "no port number");
      host = g_strndup (authority, (gsize) (colon - authority));
      if (strchr (host, ':') != NULL)
        return url_error (error, url, scheme, "put an IPv6 address in brackets, e.g. [::1]:4000");
      port_str = colon + 1;
    }

  if (*host == '\0' || strpbrk (host, "/@ \t") != NULL)
    return url_error (error, url, scheme, "no valid host name");
  if (*port_str == '\0' || strspn (port_str, "0123456789") != strlen (port_str) ||
      strlen (port_str) > 5)
    return url_error (error, url, scheme, "the port must be a number from 1 to 65535");
  port = g_ascii_strtoull (port_str, NULL, 10);
  if (port < 1 || port > 65535)
    return url_error (error, url, scheme, "the port must be a number from 1 to 65535");

  if (query != NULL && !parse_options (url, query + 1, self, error))
    {
      esplash_port_url_clear (self);
      return FALSE;
    }

  self->host = g_steal_pointer (&host);
  self->port = (guint16) port;
  return TRUE;
}

void
esplash_port_url_clear (EsplashPortUrl *self)
{
  g_clear_pointer (&self->host, g_free);
}
