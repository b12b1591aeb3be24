/* esplash-troubleshoot-page.c
 *
 * The page only shows; watching the port and resuming the job belong to
 * EsplashTroubleshoot, which feeds it observations.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "esplash-troubleshoot-page.h"

typedef struct {
  GtkStack  *state;      /* "todo", "busy", "done" */
  GtkLabel  *text;
  gboolean   done;
} StepRow;

struct _EsplashTroubleshootPage
{
  GtkWidget      parent_instance;

  GtkLabel      *title_label;
  GtkLabel      *detail_label;
  GtkLabel      *explanation_label;
  GtkWidget     *steps_box;
  GtkWidget     *board_box;
  GtkDrawingArea *board_area;
  GtkLabel      *board_caption;
  GtkLabel      *status_label;
  GtkWidget     *manual_button;
  GtkWidget     *evidence_expander;
  GtkWidget     *evidence_box;

  EsplashDiagnosis *diagnosis;
  GArray        *rows;          /* StepRow */
  char          *boot_label;
  char          *reset_label;
  gboolean       native_usb;
};

G_DEFINE_FINAL_TYPE (EsplashTroubleshootPage, esplash_troubleshoot_page, GTK_TYPE_WIDGET)

enum { SIGNAL_MANUAL_BOOT, N_SIGNALS };
static guint signals[N_SIGNALS];

/* ---- the board --------------------------------------------------------- */

static void
rounded_rect (cairo_t *cr,
              double   x,
              double   y,
              double   w,
              double   h,
              double   r)
{
  cairo_new_sub_path (cr);
  cairo_arc (cr, x + w - r, y + r, r, -G_PI / 2, 0);
  cairo_arc (cr, x + w - r, y + h - r, r, 0, G_PI / 2);
  cairo_arc (cr, x + r, y + h - r, r, G_PI / 2, G_PI);
  cairo_arc (cr, x + r, y + r, r, G_PI, 3 * G_PI / 2);
  cairo_close_path (cr);
}

static void
draw_text (GtkWidget  *widget,
           cairo_t    *cr,
           const char *text,
           double      cx,
           double      y,
           gboolean    bold)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, NULL);
  int w, h;

  if (bold)
    {
      g_autofree char *escaped = g_markup_escape_text (text, -1);
      g_autofree char *markup = g_strdup_printf ("<b>%s</b>", escaped);

      pango_layout_set_markup (layout, markup, -1);
    }
  else
    pango_layout_set_text (layout, text, -1);
  pango_layout_get_pixel_size (layout, &w, &h);
  cairo_move_to (cr, cx - w / 2.0, y);
  pango_cairo_show_layout (cr, layout);
}

/* A push button seen from above: square body, round cap. */
static void
draw_button (GtkWidget  *widget,
             cairo_t    *cr,
             double      cx,
             double      cy,
             const char *label,
             gboolean    highlight)
{
  rounded_rect (cr, cx - 16, cy - 16, 32, 32, 4);
  cairo_set_source_rgb (cr, 0.78, 0.78, 0.80);
  cairo_fill (cr);
  cairo_arc (cr, cx, cy, 10, 0, 2 * G_PI);
  if (highlight)
    cairo_set_source_rgb (cr, 0.90, 0.38, 0.10);
  else
    cairo_set_source_rgb (cr, 0.20, 0.20, 0.22);
  cairo_fill (cr);
  if (highlight)
    {
      cairo_arc (cr, cx, cy, 21, 0, 2 * G_PI);
      cairo_set_line_width (cr, 2.5);
      cairo_set_source_rgb (cr, 0.98, 0.60, 0.20);
      cairo_stroke (cr);
    }
  cairo_set_source_rgb (cr, 1, 1, 1);
  draw_text (widget, cr, label, cx, cy + 24, TRUE);
}

static void
draw_board (GtkDrawingArea *area,
            cairo_t        *cr,
            int             width,
            int             height,
            gpointer        user_data)
{
  EsplashTroubleshootPage *self = user_data;
  GtkWidget *widget = GTK_WIDGET (area);
  double bw = MIN (width - 8.0, 260.0), bh = MIN (height - 8.0, 200.0);
  double x = (width - bw) / 2, y = (height - bh) / 2;
  double usb_w = 44;

  if (self->boot_label == NULL)
    return;

  /* Board with its USB connector at the bottom edge, as DevKits have it. */
  rounded_rect (cr, x, y, bw, bh - 14, 10);
  cairo_set_source_rgb (cr, 0.09, 0.22, 0.30);
  cairo_fill_preserve (cr);
  cairo_set_source_rgb (cr, 0.05, 0.12, 0.17);
  cairo_set_line_width (cr, 2);
  cairo_stroke (cr);
  /* Mounting holes. */
  cairo_set_source_rgb (cr, 0.75, 0.68, 0.40);
  for (guint i = 0; i < 4; i++)
    {
      cairo_arc (cr, i % 2 == 0 ? x + 12 : x + bw - 12, i < 2 ? y + 12 : y + bh - 26, 5, 0, 2 * G_PI);
      cairo_fill (cr);
    }
  /* The module with its shield. */
  rounded_rect (cr, x + bw / 2 - 52, y + 14, 104, 70, 3);
  cairo_set_source_rgb (cr, 0.72, 0.74, 0.76);
  cairo_fill (cr);
  cairo_set_source_rgb (cr, 0.20, 0.20, 0.22);
  draw_text (widget, cr, "ESP", x + bw / 2, y + 38, TRUE);

  /* USB connector. */
  rounded_rect (cr, x + bw / 2 - usb_w / 2, y + bh - 30, usb_w, 30, 3);
  cairo_set_source_rgb (cr, 0.82, 0.83, 0.85);
  cairo_fill_preserve (cr);
  cairo_set_source_rgb (cr, 0.45, 0.45, 0.47);
  cairo_set_line_width (cr, 1.5);
  cairo_stroke (cr);
  cairo_set_source_rgb (cr, 0.30, 0.30, 0.32);
  cairo_rectangle (cr, x + bw / 2 - usb_w / 2 + 8, y + bh - 18, usb_w - 16, 6);
  cairo_fill (cr);

  /* BOOT on the left, EN/RST on the right of the connector. */
  draw_button (widget, cr, x + 68, y + bh - 76, self->boot_label, TRUE);
  draw_button (widget, cr, x + bw - 56, y + bh - 76, self->reset_label, FALSE);
}

/* DevKit silkscreen names: EN on ESP32, S2 and S3 kits, RST on the C- and H-
 * series kits and NodeMCU boards; ESP8266 boards call BOOT "FLASH". */
static void
set_board (EsplashTroubleshootPage *self,
           const EsplashChipInfo   *chip,
           gboolean                 native_usb)
{
  const char *pin = chip != NULL && chip->boot_pin != NULL ? chip->boot_pin : "GPIO0";
  EsplashChipFamily family = chip != NULL ? chip->family : ESPLASH_CHIP_UNKNOWN;
  gboolean rst = family == ESPLASH_CHIP_ESP32C2 || family == ESPLASH_CHIP_ESP32C3 ||
                 family == ESPLASH_CHIP_ESP32C6 || family == ESPLASH_CHIP_ESP32H2 ||
                 family == ESPLASH_CHIP_ESP8266;

  g_free (self->boot_label);
  g_free (self->reset_label);
  self->boot_label = g_strdup_printf ("%s (%s)", family == ESPLASH_CHIP_ESP8266 ? "FLASH" : "BOOT", pin);
  self->reset_label = g_strdup (rst ? "RST" : "EN");
  self->native_usb = native_usb;
  if (native_usb)
    /* TRANSLATORS: BOOT and RESET are the names printed on the board. */
    gtk_label_set_text (self->board_caption, _("Hold BOOT, plug the cable in (or tap RESET), then release BOOT."));
  else
    gtk_label_set_text (self->board_caption, _("Hold BOOT, tap the reset button, then release BOOT."));
  gtk_widget_queue_draw (GTK_WIDGET (self->board_area));
}

/* ---- steps ------------------------------------------------------------- */

static void
copy_clicked_cb (GtkButton *button,
                 GtkLabel  *label)
{
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (button)), gtk_label_get_text (label));
}

static GtkWidget *
new_step_row (const EsplashDiagnosisStep *step,
              guint                       number,
              StepRow                    *row)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 10);
  GtkWidget *column = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *state = gtk_stack_new ();
  g_autofree char *n = g_strdup_printf ("%u", number);
  GtkWidget *num = gtk_label_new (n);
  GtkWidget *tick = gtk_image_new_from_icon_name ("object-select-symbolic");
  GtkWidget *spinner = gtk_spinner_new ();
  GtkWidget *text = gtk_label_new (step->text);

  gtk_widget_add_css_class (num, "esplash-step-number");
  gtk_widget_add_css_class (tick, "esplash-step-done");
  gtk_spinner_set_spinning (GTK_SPINNER (spinner), TRUE);
  gtk_stack_add_named (GTK_STACK (state), num, "todo");
  gtk_stack_add_named (GTK_STACK (state), spinner, "busy");
  gtk_stack_add_named (GTK_STACK (state), tick, "done");
  gtk_widget_set_valign (state, GTK_ALIGN_START);
  gtk_widget_set_size_request (state, 24, 24);
  gtk_box_append (GTK_BOX (box), state);

  gtk_label_set_wrap (GTK_LABEL (text), TRUE);
  gtk_label_set_xalign (GTK_LABEL (text), 0);
  gtk_widget_set_hexpand (column, TRUE);
  gtk_box_append (GTK_BOX (column), text);
  if (step->command != NULL)
    {
      GtkWidget *line = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      GtkWidget *command = gtk_label_new (step->command);
      GtkWidget *copy = gtk_button_new_from_icon_name ("edit-copy-symbolic");

      gtk_label_set_selectable (GTK_LABEL (command), TRUE);
      gtk_label_set_wrap (GTK_LABEL (command), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (command), PANGO_WRAP_CHAR);
      gtk_label_set_xalign (GTK_LABEL (command), 0);
      gtk_widget_set_hexpand (command, TRUE);
      gtk_widget_add_css_class (command, "monospace");
      gtk_widget_add_css_class (line, "esplash-command");
      gtk_widget_set_tooltip_text (copy, _("Copy the command"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (copy), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Copy the command"), -1);
      gtk_widget_add_css_class (copy, "flat");
      gtk_widget_set_valign (copy, GTK_ALIGN_CENTER);
      g_signal_connect (copy, "clicked", G_CALLBACK (copy_clicked_cb), command);
      gtk_box_append (GTK_BOX (line), command);
      gtk_box_append (GTK_BOX (line), copy);
      gtk_box_append (GTK_BOX (column), line);
    }
  gtk_box_append (GTK_BOX (box), column);

  row->state = GTK_STACK (state);
  row->text = GTK_LABEL (text);
  row->done = FALSE;
  return box;
}

static void
clear_box (GtkWidget *box)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (box)) != NULL)
    gtk_box_remove (GTK_BOX (box), child);
}

void
esplash_troubleshoot_page_set_diagnosis (EsplashTroubleshootPage *self,
                                         const EsplashDiagnosis  *diagnosis,
                                         const char              *title,
                                         const EsplashChipInfo   *chip,
                                         gboolean                 native_usb)
{
  EsplashObservation nothing = { 0 };

  g_return_if_fail (ESPLASH_IS_TROUBLESHOOT_PAGE (self));
  g_return_if_fail (diagnosis != NULL);

  g_clear_pointer (&self->diagnosis, esplash_diagnosis_free);
  self->diagnosis = esplash_diagnosis_copy (diagnosis);
  gtk_label_set_text (self->title_label, title != NULL ? title : diagnosis->title);
  /* The core's own words under the translated title. */
  gtk_label_set_text (self->detail_label, diagnosis->title);
  gtk_widget_set_visible (GTK_WIDGET (self->detail_label),
                          title != NULL && g_strcmp0 (title, diagnosis->title) != 0);
  gtk_label_set_text (self->explanation_label, diagnosis->explanation != NULL ? diagnosis->explanation : "");

  clear_box (self->steps_box);
  g_array_set_size (self->rows, 0);
  for (guint i = 0; i < diagnosis->steps->len; i++)
    {
      StepRow row;

      gtk_box_append (GTK_BOX (self->steps_box),
                      new_step_row (g_ptr_array_index (diagnosis->steps, i), i + 1, &row));
      g_array_append_val (self->rows, row);
    }

  clear_box (self->evidence_box);
  for (guint i = 0; i < diagnosis->evidence->len; i++)
    {
      GtkWidget *label = gtk_label_new (g_ptr_array_index (diagnosis->evidence, i));

      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_selectable (GTK_LABEL (label), TRUE);
      gtk_widget_add_css_class (label, "monospace");
      gtk_box_append (GTK_BOX (self->evidence_box), label);
    }
  gtk_widget_set_visible (self->evidence_expander, diagnosis->evidence->len > 0);

  /* Buttons only matter where the chip must be put in download mode. */
  gtk_widget_set_visible (self->board_box, diagnosis->retry == ESPLASH_RETRY_NO_RESET ||
                                           g_str_equal (diagnosis->id, ESPLASH_DIAGNOSIS_SILENT_LINE) ||
                                           g_str_equal (diagnosis->id, ESPLASH_DIAGNOSIS_INVALID_STRAPS));
  gtk_widget_set_visible (self->manual_button, gtk_widget_get_visible (self->board_box));
  set_board (self, chip, native_usb);
  esplash_troubleshoot_page_set_observation (self, &nothing);
}

void
esplash_troubleshoot_page_set_observation (EsplashTroubleshootPage  *self,
                                           const EsplashObservation *observation)
{
  guint open;

  g_return_if_fail (ESPLASH_IS_TROUBLESHOOT_PAGE (self));

  if (self->diagnosis == NULL)
    return;
  open = esplash_diagnosis_first_open_step (self->diagnosis, observation);
  for (guint i = 0; i < self->rows->len; i++)
    {
      StepRow *row = &g_array_index (self->rows, StepRow, i);
      const EsplashDiagnosisStep *step = g_ptr_array_index (self->diagnosis->steps, i);

      /* Steps are done in order: everything before the last seen one is. */
      row->done = i < open;
      if (row->done)
        gtk_stack_set_visible_child_name (row->state, "done");
      else if (i == open && step->check != ESPLASH_STEP_CHECK_NONE)
        gtk_stack_set_visible_child_name (row->state, "busy");
      else
        gtk_stack_set_visible_child_name (row->state, "todo");
      if (row->done)
        gtk_widget_add_css_class (GTK_WIDGET (row->text), "dim-label");
      else
        gtk_widget_remove_css_class (GTK_WIDGET (row->text), "dim-label");
    }
}

void
esplash_troubleshoot_page_set_status (EsplashTroubleshootPage *self,
                                      const char              *status)
{
  g_return_if_fail (ESPLASH_IS_TROUBLESHOOT_PAGE (self));

  gtk_label_set_text (self->status_label, status);
}

guint
esplash_troubleshoot_page_get_n_steps (EsplashTroubleshootPage *self)
{
  return self->rows->len;
}

const char *
esplash_troubleshoot_page_get_step_text (EsplashTroubleshootPage *self,
                                         guint                    index)
{
  g_return_val_if_fail (index < self->rows->len, NULL);

  return gtk_label_get_text (g_array_index (self->rows, StepRow, index).text);
}

gboolean
esplash_troubleshoot_page_get_step_done (EsplashTroubleshootPage *self,
                                         guint                    index)
{
  g_return_val_if_fail (index < self->rows->len, FALSE);

  return g_array_index (self->rows, StepRow, index).done;
}

const char *
esplash_troubleshoot_page_get_boot_label (EsplashTroubleshootPage *self)
{
  return self->boot_label;
}

const char *
esplash_troubleshoot_page_get_reset_label (EsplashTroubleshootPage *self)
{
  return self->reset_label;
}

/* ---- GObject ----------------------------------------------------------- */

static void
manual_clicked_cb (EsplashTroubleshootPage *self)
{
  g_signal_emit (self, signals[SIGNAL_MANUAL_BOOT], 0);
}

static void
esplash_troubleshoot_page_dispose (GObject *object)
{
  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (object), ESPLASH_TYPE_TROUBLESHOOT_PAGE);
  /* The scroller has no id, so the template leaves it to us. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (esplash_troubleshoot_page_parent_class)->dispose (object);
}

static void
esplash_troubleshoot_page_finalize (GObject *object)
{
  EsplashTroubleshootPage *self = ESPLASH_TROUBLESHOOT_PAGE (object);

  g_clear_pointer (&self->diagnosis, esplash_diagnosis_free);
  g_clear_pointer (&self->rows, g_array_unref);
  g_free (self->boot_label);
  g_free (self->reset_label);

  G_OBJECT_CLASS (esplash_troubleshoot_page_parent_class)->finalize (object);
}

static void
esplash_troubleshoot_page_class_init (EsplashTroubleshootPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = esplash_troubleshoot_page_dispose;
  object_class->finalize = esplash_troubleshoot_page_finalize;

  signals[SIGNAL_MANUAL_BOOT] = g_signal_new ("manual-boot", G_TYPE_FROM_CLASS (klass),
                                              G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                              G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/esplash/Esplash/esplash-troubleshoot-page.ui");
  gtk_widget_class_bind_template_child (widget_class, EsplashTroubleshootPage, title_label);
  gtk_widget_class_bind_template_child (widget_class, EsplashTroubleshootPage, detail_label);
  gtk_widget_class_bind_template_child (widget_class, EsplashTroubleshootPage, explanation_label);
  gtk_widget_class_bind_template_child (widget_class, EsplashTroubleshootPage, steps_box);
  gtk_widget_class_bind_template_child (widget_class, EsplashTroubleshootPage, board_box);
  gtk_widget_class_bind_template_child (widget_class, EsplashTroubleshootPage, board_area);
  gtk_widget_class_bind_template_child (widget_class, EsplashTroubleshootPage, board_caption);
  gtk_widget_class_bind_template_child (widget_class, EsplashTroubleshootPage, status_label);
  gtk_widget_class_bind_template_child (widget_class, EsplashTroubleshootPage, manual_button);
  gtk_widget_class_bind_template_child (widget_class, EsplashTroubleshootPage, evidence_expander);
  gtk_widget_class_bind_template_child (widget_class, EsplashTroubleshootPage, evidence_box);
  gtk_widget_class_bind_template_callback (widget_class, manual_clicked_cb);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
esplash_troubleshoot_page_init (EsplashTroubleshootPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->rows = g_array_new (FALSE, TRUE, sizeof (StepRow));
  gtk_drawing_area_set_draw_func (self->board_area, draw_board, self, NULL);
}

GtkWidget *
esplash_troubleshoot_page_new (void)
{
  return g_object_new (ESPLASH_TYPE_TROUBLESHOOT_PAGE, NULL);
}
