/* esplash-selected-board.c
 *
 * A session belongs to one port: what it learned (chip, diagnosis) is
 * about that board, so picking another port starts a new one instead of
 * reusing it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "esplash-selected-board.h"

struct _EsplashSelectedBoard
{
  GObject              parent_instance;

  EsplashPortChooser  *chooser;
  EsplashFlasher      *flasher;
  EsplashFlashSession *session;          /* nullable */
  EsplashSim          *virtual_board;    /* created on first use */
  EsplashChipFamily    virtual_family;
  EsplashConsole       virtual_console;
};

G_DEFINE_FINAL_TYPE (EsplashSelectedBoard, esplash_selected_board, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SESSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
set_session (EsplashSelectedBoard *self,
             EsplashPortItem      *port)
{
  g_autoptr(EsplashFlashSession) session = NULL;

  if (port != NULL && esplash_port_item_is_virtual (port))
    session = esplash_flash_session_new_virtual (port, esplash_selected_board_ensure_virtual_board (self),
                                                 self->virtual_family, self->virtual_console, NULL);
  else if (port != NULL)
    session = esplash_flash_session_new (port);
  if (session != NULL)
    esplash_flasher_prepare (self->flasher, session);
  g_set_object (&self->session, session);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

static void
selected_cb (EsplashSelectedBoard *self)
{
  EsplashPortItem *port = esplash_port_chooser_get_selected (self->chooser);

  if (self->session != NULL && port != NULL &&
      esplash_port_item_equal (port, esplash_flash_session_get_port (self->session)))
    return;
  set_session (self, port);
}

EsplashFlashSession *
esplash_selected_board_get_session (EsplashSelectedBoard *self)
{
  g_return_val_if_fail (ESPLASH_IS_SELECTED_BOARD (self), NULL);

  return self->session;
}

EsplashSim *
esplash_selected_board_ensure_virtual_board (EsplashSelectedBoard *self)
{
  if (self->virtual_board == NULL)
    {
      EsplashSimOptions options;

      esplash_sim_options_init (&options, self->virtual_family);
      options.console = self->virtual_console;
      options.boot_mode = ESPLASH_SIM_BOOT_FLASH;
      options.timing = TRUE;    /* a demo should feel like a real board */
      self->virtual_board = esplash_sim_new (&options);
    }
  return self->virtual_board;
}

EsplashSim *
esplash_selected_board_get_virtual_board (EsplashSelectedBoard *self)
{
  return self->virtual_board;
}

void
esplash_selected_board_set_virtual_board (EsplashSelectedBoard *self,
                                          EsplashSim           *sim)
{
  EsplashPortItem *port = esplash_port_chooser_get_selected (self->chooser);

  g_return_if_fail (self->session == NULL || !esplash_flash_session_is_busy (self->session));

  g_set_object (&self->virtual_board, sim);
  /* The board on screen is this one from now on. */
  if (port != NULL && esplash_port_item_is_virtual (port))
    set_session (self, port);
}

void
esplash_selected_board_set_virtual_board_options (EsplashSelectedBoard    *self,
                                                  const EsplashSimOptions *options)
{
  g_autoptr(EsplashSim) sim = esplash_sim_new (options);

  self->virtual_family = options->family;
  self->virtual_console = options->console;
  esplash_selected_board_set_virtual_board (self, sim);
}

static void
esplash_selected_board_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, ESPLASH_SELECTED_BOARD (object)->session);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
esplash_selected_board_dispose (GObject *object)
{
  EsplashSelectedBoard *self = ESPLASH_SELECTED_BOARD (object);

  if (self->session != NULL)
    esplash_flash_session_cancel (self->session);
  g_clear_object (&self->session);
  g_clear_object (&self->flasher);
  g_clear_object (&self->virtual_board);

  G_OBJECT_CLASS (esplash_selected_board_parent_class)->dispose (object);
}

static void
esplash_selected_board_class_init (EsplashSelectedBoardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = esplash_selected_board_get_property;
  object_class->dispose = esplash_selected_board_dispose;

  properties[PROP_SESSION] = g_param_spec_object ("session", NULL, NULL, ESPLASH_TYPE_FLASH_SESSION,
                                                  G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
esplash_selected_board_init (EsplashSelectedBoard *self)
{
  self->virtual_family = ESPLASH_CHIP_ESP32S3;
  self->virtual_console = ESPLASH_CONSOLE_UART;
}

EsplashSelectedBoard *
esplash_selected_board_new (EsplashPortChooser *chooser,
                            EsplashFlasher     *flasher)
{
  EsplashSelectedBoard *self = g_object_new (ESPLASH_TYPE_SELECTED_BOARD, NULL);

  self->chooser = chooser;
  self->flasher = g_object_ref (flasher);
  g_signal_connect_object (chooser, "notify::selected", G_CALLBACK (selected_cb), self, G_CONNECT_SWAPPED);
  selected_cb (self);
  return self;
}
