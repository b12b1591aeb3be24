/* esplash-port.c: the serial ports on this machine, with USB identity.
 *
 * Classification is pure (ids in, names out) so it can be tested without
 * hardware; listing goes through libserialport.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "esplash-port.h"

#include "esplash-error.h"

#include <libserialport.h>

/* USB-UART bridges. common_on_esp marks the ones Espressif and most
 * third-party ESP boards (DevKitC, NodeMCU, ESP-Prog/WROVER-KIT's FT2232H)
 * put on the board; the others are usually external adapters. */
typedef struct {
  guint16     vid;
  guint16     pid;
  const char *name;
  gboolean    common_on_esp;
} BridgeInfo;

static const BridgeInfo bridges[] = {
  { 0x10C4, 0xEA60, "CP210x USB to UART bridge", TRUE },
  { 0x1A86, 0x7523, "CH340 USB to UART bridge", TRUE },
  { 0x1A86, 0x5523, "CH341 USB to UART bridge", TRUE },
  { 0x1A86, 0x55D4, "CH9102 USB to UART bridge", TRUE },
  { 0x1A86, 0x55D3, "CH343 USB to UART bridge", TRUE },
  { 0x0403, 0x6001, "FT232R USB to UART bridge", FALSE },
  { 0x0403, 0x6010, "FT2232H USB to UART bridge", TRUE },
  { 0x0403, 0x6014, "FT232H USB to UART bridge", FALSE },
  { 0x0403, 0x6015, "FT230X USB to UART bridge", FALSE },
  { 0x067B, 0x2303, "PL2303 USB to UART bridge", FALSE },
};

G_DEFINE_BOXED_TYPE (EsplashPortInfo, esplash_port_info,
                     esplash_port_info_copy, esplash_port_info_free)

/**
 * esplash_port_info_copy:
 *
 * Returns: (transfer full): a deep copy of @info
 */
EsplashPortInfo *
esplash_port_info_copy (const EsplashPortInfo *info)
{
  EsplashPortInfo *copy;

  g_return_val_if_fail (info != NULL, NULL);

  copy = g_new0 (EsplashPortInfo, 1);
  *copy = *info;
  copy->path = g_strdup (info->path);
  copy->serial = g_strdup (info->serial);
  copy->manufacturer = g_strdup (info->manufacturer);
  copy->product = g_strdup (info->product);
  copy->description = g_strdup (info->description);
  copy->friendly_name = g_strdup (info->friendly_name);
  return copy;
}

void
esplash_port_info_free (EsplashPortInfo *info)
{
  if (info == NULL)
    return;

  g_free (info->path);
  g_free (info->serial);
  g_free (info->manufacturer);
  g_free (info->product);
  g_free (info->description);
  g_free (info->friendly_name);
  g_free (info);
}

static const BridgeInfo *
find_bridge (guint16 vid,
             guint16 pid)
{
  for (gsize i = 0; i < G_N_ELEMENTS (bridges); i++)
    {
      if (bridges[i].vid == vid && bridges[i].pid == pid)
        return &bridges[i];
    }
  return NULL;
}

static char *
espressif_name (guint16 pid)
{
  EsplashConsole console = ESPLASH_CONSOLE_UART;
  const EsplashChipInfo *chip = esplash_chip_from_usb (ESPLASH_ESPRESSIF_USB_VID, pid, &console);
  const char *interface = NULL;

  if (console == ESPLASH_CONSOLE_USB_JTAG || pid == ESPLASH_USB_JTAG_SERIAL_PID)
    interface = "USB-Serial/JTAG";
  else if (console == ESPLASH_CONSOLE_USB_OTG)
    interface = "USB-OTG";

  /* Every chip with USB-Serial/JTAG uses the same PID, so that one
   * cannot name the chip. */
  if (chip != NULL && interface != NULL)
    return g_strdup_printf ("%s (%s)", chip->name, interface);
  if (chip != NULL)
    return g_strdup_printf ("%s (USB)", chip->name);
  if (interface != NULL)
    return g_strdup_printf ("Espressif %s", interface);
  return g_strdup_printf ("Espressif USB device (PID 0x%04X)", pid);
}

/**
 * esplash_port_info_dup_adapter_key:
 * @info: a port
 *
 * What identifies the adapter behind the port across plugs and reboots:
 * "vid:pid:serial" in hex for USB (ttyUSB numbers move, a bridge's ids
 * stay), the path otherwise. Settings found for an adapter (the fastest
 * rate it holds) are kept under it.
 *
 * Returns: (transfer full): the key
 */
char *
esplash_port_info_dup_adapter_key (const EsplashPortInfo *info)
{
  g_return_val_if_fail (info != NULL, NULL);

  if (info->usb_vid != 0)
    return g_strdup_printf ("%04x:%04x:%s", info->usb_vid, info->usb_pid,
                            info->serial != NULL ? info->serial : "");
  return g_strdup (info->path);
}

/**
 * esplash_port_info_classify:
 * @info: a port with path and USB ids filled in
 *
 * Derives kind, friendly_name and looks_like_esp from the ids. A port
 * without a USB VID keeps NATIVE or BLUETOOTH if the lister set it.
 */
void
esplash_port_info_classify (EsplashPortInfo *info)
{
  const BridgeInfo *bridge;

  g_return_if_fail (info != NULL);

  g_clear_pointer (&info->friendly_name, g_free);
  info->looks_like_esp = FALSE;

  if (info->usb_vid == ESPLASH_ESPRESSIF_USB_VID)
    {
      info->kind = ESPLASH_PORT_KIND_ESPRESSIF_USB;
      info->friendly_name = espressif_name (info->usb_pid);
      info->looks_like_esp = TRUE;
      return;
    }

  bridge = find_bridge (info->usb_vid, info->usb_pid);
  if (bridge != NULL)
    {
      info->kind = ESPLASH_PORT_KIND_USB_BRIDGE;
      info->friendly_name = g_strdup (bridge->name);
      info->looks_like_esp = bridge->common_on_esp;
      return;
    }

  if (info->usb_vid != 0)
    {
      info->kind = ESPLASH_PORT_KIND_OTHER;
      if (info->product != NULL && *info->product != '\0')
        info->friendly_name = g_strdup (info->product);
      else
        info->friendly_name = g_strdup_printf ("USB serial device %04X:%04X",
                                               info->usb_vid, info->usb_pid);
      return;
    }

  if (info->kind != ESPLASH_PORT_KIND_NATIVE && info->kind != ESPLASH_PORT_KIND_BLUETOOTH)
    info->kind = ESPLASH_PORT_KIND_OTHER;
  if (info->description != NULL && *info->description != '\0')
    info->friendly_name = g_strdup (info->description);
  else if (info->path != NULL)
    info->friendly_name = g_path_get_basename (info->path);
  else
    info->friendly_name = g_strdup ("Serial port");
}

static char *
dup_nonempty (char *s)
{
  return s != NULL && *s != '\0' ? g_strdup (s) : NULL;
}

static EsplashPortInfo *
port_info_from_sp (const struct sp_port *port)
{
  EsplashPortInfo *info = g_new0 (EsplashPortInfo, 1);

  info->path = g_strdup (sp_get_port_name (port));
  info->description = dup_nonempty (sp_get_port_description (port));

  switch (sp_get_port_transport (port))
    {
    case SP_TRANSPORT_USB:
      {
        int vid = 0;
        int pid = 0;

        if (sp_get_port_usb_vid_pid (port, &vid, &pid) == SP_OK)
          {
            info->usb_vid = (guint16) vid;
            info->usb_pid = (guint16) pid;
          }
        info->serial = dup_nonempty (sp_get_port_usb_serial (port));
        info->manufacturer = dup_nonempty (sp_get_port_usb_manufacturer (port));
        info->product = dup_nonempty (sp_get_port_usb_product (port));
        info->kind = ESPLASH_PORT_KIND_OTHER;
      }
      break;
    case SP_TRANSPORT_BLUETOOTH:
      info->kind = ESPLASH_PORT_KIND_BLUETOOTH;
      break;
    case SP_TRANSPORT_NATIVE:
    default:
      info->kind = ESPLASH_PORT_KIND_NATIVE;
      break;
    }

  esplash_port_info_classify (info);
  return info;
}

/* Likely ESP ports first, then by path. */
static gint
compare_ports (gconstpointer a,
               gconstpointer b)
{
  const EsplashPortInfo *pa = *(EsplashPortInfo *const *) a;
  const EsplashPortInfo *pb = *(EsplashPortInfo *const *) b;

  if (pa->looks_like_esp != pb->looks_like_esp)
    return pa->looks_like_esp ? -1 : 1;
  return g_strcmp0 (pa->path, pb->path);
}

/**
 * esplash_port_list:
 * @error: return location for an error
 *
 * Returns: (transfer full) (element-type EsplashPortInfo): the local
 *   serial ports, likely ESP boards first; empty when there are none
 */
GPtrArray *
esplash_port_list (GError **error)
{
  g_autoptr(GPtrArray) result = NULL;
  struct sp_port **ports = NULL;
  enum sp_return ret;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  ret = sp_list_ports (&ports);
  if (ret != SP_OK)
    {
      g_autofree char *detail = NULL;

      if (ret == SP_ERR_FAIL)
        {
          char *msg = sp_last_error_message ();

          detail = g_strdup (msg != NULL ? g_strchomp (msg) : "unknown error");
          sp_free_error_message (msg);
        }
      else
        detail = g_strdup_printf ("libserialport error %d", (int) ret);
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_FAILED,
                   "Cannot list serial ports: %s", detail);
      return NULL;
    }

  result = g_ptr_array_new_with_free_func ((GDestroyNotify) esplash_port_info_free);
  for (gsize i = 0; ports[i] != NULL; i++)
    g_ptr_array_add (result, port_info_from_sp (ports[i]));
  sp_free_port_list (ports);

  g_ptr_array_sort (result, compare_ports);
  return g_steal_pointer (&result);
}

/**
 * esplash_port_find_usb:
 * @usb_vid: USB vendor id
 * @usb_pid: USB product id
 * @serial: (nullable): the USB serial number, %NULL for any
 *
 * Finds a port again under whatever name it has now (a USB device that
 * re-enumerated after a reset may come back as another /dev/ttyACM*).
 *
 * Returns: (transfer full) (nullable): its path, or %NULL when no port has that identity
 */
char *
esplash_port_find_usb (guint16     usb_vid,
                       guint16     usb_pid,
                       const char *serial)
{
  g_autoptr(GPtrArray) ports = esplash_port_list (NULL);

  for (guint i = 0; ports != NULL && i < ports->len; i++)
    {
      const EsplashPortInfo *p = g_ptr_array_index (ports, i);

      if (p->usb_vid == usb_vid && p->usb_pid == usb_pid &&
          (serial == NULL || g_strcmp0 (p->serial, serial) == 0))
        return g_strdup (p->path);
    }
  return NULL;
}
