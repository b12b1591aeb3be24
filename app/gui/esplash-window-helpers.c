/* esplash-window-helpers.c: parts of the main window that need none of
 * its state — the destructive question, the style sheet, the virtual
 * board's wiring.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "esplash-window-private.h"

/* (transfer none): the virtual board, created on first use: the app's
 * demo, an ESP32-S3 on a UART bridge that boots what it holds. */
EsplashSim *
esplash_window_ensure_virtual_board (EsplashWindow *self)
{
  if (esplash_window_get_virtual_board (self) == NULL)
    {
      g_autoptr(EsplashSim) sim = NULL;
      EsplashSimOptions options;

      esplash_sim_options_init (&options, ESPLASH_CHIP_ESP32S3);
      options.console = ESPLASH_CONSOLE_UART;
      options.boot_mode = ESPLASH_SIM_BOOT_FLASH;
      options.timing = TRUE;    /* a demo should feel like a real board */
      sim = esplash_sim_new (&options);
      esplash_window_set_virtual_board (self, sim);
    }
  return esplash_window_get_virtual_board (self);
}

/* A modal question whose yes is destructive; "no" is the default. */
void
esplash_window_ask (EsplashWindow *self,
                    const char    *question,
                    const char    *detail,
                    const char    *no,
                    const char    *yes,
                    GCallback      response_cb)
{
  GtkWidget *dialog = gtk_message_dialog_new (GTK_WINDOW (self), GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                              GTK_MESSAGE_WARNING, GTK_BUTTONS_NONE, "%s", question);

  gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (dialog), "%s", detail);
  gtk_dialog_add_button (GTK_DIALOG (dialog), no, GTK_RESPONSE_CANCEL);
  gtk_widget_add_css_class (gtk_dialog_add_button (GTK_DIALOG (dialog), yes, GTK_RESPONSE_ACCEPT),
                            "destructive-action");
  gtk_dialog_set_default_response (GTK_DIALOG (dialog), GTK_RESPONSE_CANCEL);
  g_signal_connect_object (dialog, "response", response_cb, self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* GtkApplication would add the icons but, unlike AdwApplication, not the
 * style sheet; the window does both so it looks the same without the app
 * (tests, screenshots). */
void
esplash_window_load_style (void)
{
  GdkDisplay *display = gdk_display_get_default ();
  g_autoptr(GtkCssProvider) provider = NULL;

  if (display == NULL)
    return;
  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (provider, "/io/github/esplash/Esplash/style.css");
  gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  gtk_icon_theme_add_resource_path (gtk_icon_theme_get_for_display (display),
                                    "/io/github/esplash/Esplash/icons");
}

void
esplash_window_set_virtual_board_options (EsplashWindow           *self,
                                          const EsplashSimOptions *options)
{
  g_autoptr(EsplashSim) sim = esplash_sim_new (options);

  esplash_window_set_virtual_board (self, sim);
  esplash_troubleshoot_set_virtual_board (esplash_window_get_troubleshoot (self), options->family,
                                          options->console);
}
