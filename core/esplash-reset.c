/* esplash-reset.c: DTR/RTS sequences into and out of the ROM loader
 * (protocol.md §7.1, §7.2, §7.4).
 *
 * Line convention: TRUE = asserted = pin driven low. On the usual
 * two-transistor board circuit RTS drives EN and DTR the boot strap.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "esplash-reset.h"

#include "esplash-chip.h"
#include "esplash-error.h"

#include <string.h>

/* Time EN is held low by every reset sequence (§7.1). */
#define RESET_HOLD_MS 100
/* The USB-Serial/JTAG sequence waits this long between its phases. */
#define USB_JTAG_STEP_MS 100
/* HardReset: EN low for 100 ms over a bridge; 200 ms plus 200 ms to come
 * back over the chip's own USB (it re-enumerates). */
#define HARD_RESET_UART_MS 100
#define HARD_RESET_USB_MS 200

typedef struct {
  gint        value;
  const char *name;
} NameEntry;

static const NameEntry before_names[] = {
  { ESPLASH_BEFORE_DEFAULT_RESET, "default-reset" },
  { ESPLASH_BEFORE_USB_RESET, "usb-reset" },
  { ESPLASH_BEFORE_NO_RESET, "no-reset" },
  { ESPLASH_BEFORE_NO_RESET_NO_SYNC, "no-reset-no-sync" },
};

static const NameEntry after_names[] = {
  { ESPLASH_AFTER_HARD_RESET, "hard-reset" },
  { ESPLASH_AFTER_WATCHDOG_RESET, "watchdog-reset" },
  { ESPLASH_AFTER_NO_RESET, "no-reset" },
  { ESPLASH_AFTER_NO_RESET_STUB, "no-reset-stub" },
  { ESPLASH_AFTER_SOFT_RESET, "soft-reset" },
};

/* Compares ignoring the "-" / "_" spelling difference of esptool v4 and v5. */
static gboolean
names_equal (const char *a,
             const char *b)
{
  for (; *a != '\0' && *b != '\0'; a++, b++)
    {
      char ca = *a == '_' ? '-' : g_ascii_tolower (*a);
      char cb = *b == '_' ? '-' : g_ascii_tolower (*b);

      if (ca != cb)
        return FALSE;
    }
  return *a == '\0' && *b == '\0';
}

static gboolean
lookup_name (const NameEntry *table,
             gsize            n,
             const char      *s,
             gint            *out)
{
  if (s == NULL)
    return FALSE;
  for (gsize i = 0; i < n; i++)
    if (names_equal (s, table[i].name))
      {
        *out = table[i].value;
        return TRUE;
      }
  return FALSE;
}

/**
 * esplash_before_from_string:
 * @s: "default-reset", "default_reset", "usb-reset", "no-reset", "no-reset-no-sync"
 * @out: (out): the before-mode, set when @s names one
 *
 * Returns: %TRUE if @s names a before-mode
 */
gboolean
esplash_before_from_string (const char    *s,
                            EsplashBefore *out)
{
  gint v;

  g_return_val_if_fail (out != NULL, FALSE);
  if (!lookup_name (before_names, G_N_ELEMENTS (before_names), s, &v))
    return FALSE;
  *out = (EsplashBefore) v;
  return TRUE;
}

/**
 * esplash_after_from_string:
 * @s: "hard-reset", "watchdog-reset", "no-reset", "no-reset-stub",
 *   "soft-reset" (or with "_")
 * @out: (out): the after-mode, set when @s names one
 *
 * Returns: %TRUE if @s names an after-mode
 */
gboolean
esplash_after_from_string (const char   *s,
                           EsplashAfter *out)
{
  gint v;

  g_return_val_if_fail (out != NULL, FALSE);
  if (!lookup_name (after_names, G_N_ELEMENTS (after_names), s, &v))
    return FALSE;
  *out = (EsplashAfter) v;
  return TRUE;
}

static const char *
value_name (const NameEntry *table,
            gsize            n,
            gint             value)
{
  for (gsize i = 0; i < n; i++)
    if (table[i].value == value)
      return table[i].name;
  return "unknown";
}

const char *
esplash_before_to_string (EsplashBefore before)
{
  return value_name (before_names, G_N_ELEMENTS (before_names), before);
}

const char *
esplash_after_to_string (EsplashAfter after)
{
  return value_name (after_names, G_N_ELEMENTS (after_names), after);
}

const char *
esplash_reset_strategy_name (EsplashResetStrategy strategy)
{
  switch (strategy)
    {
    case ESPLASH_RESET_CLASSIC:
      return "classic";
    case ESPLASH_RESET_UNIX_TIGHT:
      return "unix-tight";
    case ESPLASH_RESET_USB_JTAG:
      return "usb-jtag-serial";
    default:
      return "unknown";
    }
}

static void
plan_add (GArray               *plan,
          EsplashResetStrategy  strategy,
          guint                 delay_ms)
{
  EsplashResetStep step = { strategy, delay_ms };

  g_array_append_val (plan, step);
}

/**
 * esplash_reset_plan:
 * @before: the before-mode
 * @transport: the port
 * @usb_jtag: %TRUE when the port is known to be a USB-Serial/JTAG peripheral
 *
 * The reset attempts esptool cycles through (§7.2). Empty when no reset is
 * to be done: no-reset modes, or a port without DTR/RTS (socket://).
 *
 * Returns: (transfer full) (element-type EsplashResetStep): the steps
 */
GArray *
esplash_reset_plan (EsplashBefore     before,
                    EsplashTransport *transport,
                    gboolean          usb_jtag)
{
  GArray *plan = g_array_new (FALSE, TRUE, sizeof (EsplashResetStep));

  g_return_val_if_fail (ESPLASH_IS_TRANSPORT (transport), plan);

  if (before == ESPLASH_BEFORE_NO_RESET || before == ESPLASH_BEFORE_NO_RESET_NO_SYNC)
    return plan;
  if (!esplash_transport_has_lines (transport))
    return plan;

  if (esplash_transport_get_usb_vid (transport) == ESPLASH_ESPRESSIF_USB_VID &&
      esplash_transport_get_usb_pid (transport) == ESPLASH_USB_JTAG_SERIAL_PID)
    usb_jtag = TRUE;

  if (before == ESPLASH_BEFORE_USB_RESET || usb_jtag)
    {
      plan_add (plan, ESPLASH_RESET_USB_JTAG, 0);
      return plan;
    }

  /* esptool skips the one-ioctl sequence on RFC 2217 ports: the lines are
   * set by separate telnet options there anyway. */
  if (esplash_transport_get_kind (transport) != ESPLASH_TRANSPORT_KIND_RFC2217)
    {
      plan_add (plan, ESPLASH_RESET_UNIX_TIGHT, 50);
      plan_add (plan, ESPLASH_RESET_UNIX_TIGHT, 550);
    }
  plan_add (plan, ESPLASH_RESET_CLASSIC, 50);
  plan_add (plan, ESPLASH_RESET_CLASSIC, 550);
  return plan;
}

/**
 * esplash_sleep:
 * @ms: milliseconds
 * @cancellable: (nullable): cuts the sleep short
 *
 * Returns: %FALSE with %G_IO_ERROR_CANCELLED if cancelled
 */
gboolean
esplash_sleep (guint          ms,
               GCancellable  *cancellable,
               GError       **error)
{
  gint64 deadline;
  GPollFD pfd;
  gboolean have_fd;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  if (ms == 0)
    return TRUE;
  if (cancellable == NULL)
    {
      g_usleep ((gulong) ms * 1000);
      return TRUE;
    }

  deadline = g_get_monotonic_time () + (gint64) ms * G_TIME_SPAN_MILLISECOND;
  have_fd = g_cancellable_make_pollfd (cancellable, &pfd);
  for (;;)
    {
      gint64 remaining = deadline - g_get_monotonic_time ();

      if (remaining <= 0 || g_cancellable_is_cancelled (cancellable))
        break;
      if (have_fd)
        {
          /* Wakes as soon as the cancellable fires. */
          g_poll (&pfd, 1, (gint) ((remaining + 999) / 1000));
        }
      else
        {
          /* No fd available: poll the flag in short slices. */
          g_usleep ((gulong) MIN (remaining, 10 * G_TIME_SPAN_MILLISECOND));
        }
    }
  if (have_fd)
    g_cancellable_release_fd (cancellable);

  return !g_cancellable_set_error_if_cancelled (cancellable, error);
}

static gboolean
run_classic (EsplashTransport  *t,
             guint              delay_ms,
             GCancellable      *cancellable,
             GError           **error)
{
  return esplash_transport_set_dtr (t, FALSE, error) &&      /* IO0 high */
         esplash_transport_set_rts (t, TRUE, error) &&       /* EN low: in reset */
         esplash_sleep (RESET_HOLD_MS, cancellable, error) &&
         esplash_transport_set_dtr (t, TRUE, error) &&       /* IO0 low */
         esplash_transport_set_rts (t, FALSE, error) &&      /* EN released */
         esplash_sleep (delay_ms, cancellable, error) &&
         esplash_transport_set_dtr (t, FALSE, error);        /* IO0 released */
}

static gboolean
run_unix_tight (EsplashTransport  *t,
                guint              delay_ms,
                GCancellable      *cancellable,
                GError           **error)
{
  return esplash_transport_set_lines (t, FALSE, FALSE, error) &&
         esplash_transport_set_lines (t, TRUE, TRUE, error) &&
         esplash_transport_set_lines (t, FALSE, TRUE, error) &&   /* EN low, IO0 high */
         esplash_sleep (RESET_HOLD_MS, cancellable, error) &&
         esplash_transport_set_lines (t, TRUE, FALSE, error) &&   /* EN high, IO0 low */
         esplash_sleep (delay_ms, cancellable, error) &&
         esplash_transport_set_lines (t, FALSE, FALSE, error) &&
         esplash_transport_set_dtr (t, FALSE, error);
}

static gboolean
run_usb_jtag (EsplashTransport  *t,
              GCancellable      *cancellable,
              GError           **error)
{
  return esplash_transport_set_rts (t, FALSE, error) &&
         esplash_transport_set_dtr (t, FALSE, error) &&           /* idle */
         esplash_sleep (USB_JTAG_STEP_MS, cancellable, error) &&
         esplash_transport_set_dtr (t, TRUE, error) &&            /* request boot mode */
         esplash_transport_set_rts (t, FALSE, error) &&
         esplash_sleep (USB_JTAG_STEP_MS, cancellable, error) &&
         /* reset, going through (1,1) rather than (0,0) */
         esplash_transport_set_rts (t, TRUE, error) &&
         esplash_transport_set_dtr (t, FALSE, error) &&
         esplash_transport_set_rts (t, TRUE, error) &&
         esplash_sleep (USB_JTAG_STEP_MS, cancellable, error) &&
         esplash_transport_set_dtr (t, FALSE, error) &&           /* release: download mode */
         esplash_transport_set_rts (t, FALSE, error);
}

/**
 * esplash_reset_run:
 * @transport: the port
 * @step: which sequence, and the EN-capacitor delay
 * @cancellable: (nullable): interrupts the sleeps
 *
 * Returns: %TRUE when the sequence was sent
 */
gboolean
esplash_reset_run (EsplashTransport        *transport,
                   const EsplashResetStep  *step,
                   GCancellable            *cancellable,
                   GError                 **error)
{
  g_return_val_if_fail (ESPLASH_IS_TRANSPORT (transport), FALSE);
  g_return_val_if_fail (step != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  switch (step->strategy)
    {
    case ESPLASH_RESET_CLASSIC:
      return run_classic (transport, step->delay_ms, cancellable, error);
    case ESPLASH_RESET_UNIX_TIGHT:
      return run_unix_tight (transport, step->delay_ms, cancellable, error);
    case ESPLASH_RESET_USB_JTAG:
      return run_usb_jtag (transport, cancellable, error);
    default:
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_ARGUMENT,
                   "Unknown reset strategy %d", (int) step->strategy);
      return FALSE;
    }
}

/**
 * esplash_reset_hard:
 * @transport: the port
 * @usb: %TRUE when talking to the chip's own USB (longer timing)
 * @cancellable: (nullable): interrupts the sleeps
 *
 * Pulses EN through RTS (§7.1 HardReset).
 *
 * Returns: %TRUE when the pulse was sent
 */
gboolean
esplash_reset_hard (EsplashTransport  *transport,
                    gboolean           usb,
                    GCancellable      *cancellable,
                    GError           **error)
{
  g_return_val_if_fail (ESPLASH_IS_TRANSPORT (transport), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!esplash_transport_set_rts (transport, TRUE, error))
    return FALSE;
  if (!esplash_sleep (usb ? HARD_RESET_USB_MS : HARD_RESET_UART_MS, cancellable, error))
    {
      /* Cancelled: still let go of EN rather than leave the chip in reset. */
      esplash_transport_set_rts (transport, FALSE, NULL);
      return FALSE;
    }
  if (!esplash_transport_set_rts (transport, FALSE, error))
    return FALSE;
  /* Over the chip's own USB, give it time to come back before more changes. */
  return !usb || esplash_sleep (HARD_RESET_USB_MS, cancellable, error);
}
