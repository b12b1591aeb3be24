/* esplash-cli-commands.c: the commands of esplash-cli (esptool's names).
 *
 * Each command checks its arguments and reads its inputs in prepare(),
 * before any port is opened; run() does the work on a connected device.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "esplash-cli-private.h"

#define SECTOR 0x1000u

/* ------------------------------------------------------------------ */
/* Shared helpers                                                      */

static void
result_int (CliContext *ctx, const char *name, gint64 value)
{
  if (ctx->result == NULL)
    return;
  json_builder_set_member_name (ctx->result, name);
  json_builder_add_int_value (ctx->result, value);
}

static void
result_string (CliContext *ctx, const char *name, const char *value)
{
  if (ctx->result == NULL)
    return;
  json_builder_set_member_name (ctx->result, name);
  if (value != NULL)
    json_builder_add_string_value (ctx->result, value);
  else
    json_builder_add_null_value (ctx->result);
}

static void
result_bool (CliContext *ctx, const char *name, gboolean value)
{
  if (ctx->result == NULL)
    return;
  json_builder_set_member_name (ctx->result, name);
  json_builder_add_boolean_value (ctx->result, value);
}

char *
cli_format_size (guint32 bytes)
{
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0)
    return g_strdup_printf ("%uMB", bytes / (1024 * 1024));
  if (bytes >= 1024 && bytes % 1024 == 0)
    return g_strdup_printf ("%uKB", bytes / 1024);
  return g_strdup_printf ("%u bytes", bytes);
}

static const char *
console_name (EsplashConsole console)
{
  switch (console)
    {
    case ESPLASH_CONSOLE_USB_OTG:
      return "USB-OTG";
    case ESPLASH_CONSOLE_USB_JTAG:
      return "USB-Serial/JTAG";
    case ESPLASH_CONSOLE_UART:
    default:
      return "UART";
    }
}

gboolean
cli_describe (CliContext              *ctx,
          EsplashDevice           *device,
          EsplashChipDescription  *desc,
          GCancellable            *cancellable,
          GError                 **error)
{
  g_autofree char *mac = NULL;

  if (!esplash_device_describe (device, desc, cancellable, error))
    return FALSE;
  cli_output_message (ctx->out, ESPLASH_LOG_INFO, "Features: %s", desc->chip->description);
  result_string (ctx, "chip", desc->chip->name);
  result_string (ctx, "chip_id", desc->chip->id);
  result_int (ctx, "revision", desc->revision);
  if (desc->secure_download_mode)
    return TRUE;
  mac = esplash_chip_description_dup_mac (desc);
  cli_output_message (ctx->out, ESPLASH_LOG_INFO, "Crystal is %uMHz", desc->crystal_mhz);
  cli_output_message (ctx->out, ESPLASH_LOG_INFO, "MAC: %s", mac);
  result_int (ctx, "crystal_mhz", desc->crystal_mhz);
  result_string (ctx, "mac", mac);
  return TRUE;
}

static gboolean
describe_only (CliContext     *ctx,
               EsplashDevice  *device,
               GCancellable   *cancellable,
               GError        **error)
{
  EsplashChipDescription desc;

  return cli_describe (ctx, device, &desc, cancellable, error);
}

/* ------------------------------------------------------------------ */
/* read-flash, erase-flash, erase-region                               */

static gboolean
prepare_read (CliContext  *ctx,
              GError     **error)
{
  if (!cli_parse_address (ctx->args[0], &ctx->address, error))
    return FALSE;
  if (g_ascii_strcasecmp (ctx->args[1], "ALL") == 0)
    ctx->size_all = TRUE;
  else if (!cli_parse_size (ctx->args[1], &ctx->size, error))
    return FALSE;
  if (!ctx->size_all && ctx->size == 0)
    {
      g_set_error_literal (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_ARGUMENT,
                           "Nothing to read: the size is 0");
      return FALSE;
    }
  if (!ctx->size_all && (guint64) ctx->address + ctx->size > (guint64) G_MAXUINT32 + 1)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_ARGUMENT,
                   "0x%X bytes at 0x%X end beyond 4 GiB", ctx->size, ctx->address);
      return FALSE;
    }
  ctx->path = g_strdup (ctx->args[2]);
  return TRUE;
}

static gboolean
run_read (CliContext     *ctx,
          EsplashDevice  *device,
          GCancellable   *cancellable,
          GError        **error)
{
  g_autoptr(GBytes) data = NULL;
  guint32 flash_id = 0, flash_size;
  gint64 start;
  double seconds;

  if (!describe_only (ctx, device, cancellable, error) ||
      !esplash_device_read_flash_id (device, &flash_id, cancellable, error))
    return FALSE;
  flash_size = esplash_flash_size_from_id (flash_id);
  if (ctx->size_all)
    {
      if (flash_size == 0 || flash_size <= ctx->address)
        {
          if (flash_size == 0)
            g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_FAILED,
                         "The flash size could not be detected (flash id 0x%06X): give the "
                         "size instead of ALL", flash_id);
          else
            g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_IMAGE_TOO_LARGE,
                         "Address 0x%X is beyond the end of the flash (0x%X bytes)",
                         ctx->address, flash_size);
          return FALSE;
        }
      ctx->size = flash_size - ctx->address;
    }
  else if (flash_size != 0 && (guint64) ctx->address + ctx->size > flash_size)
    {
      g_autofree char *size_text = cli_format_size (flash_size);

      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_IMAGE_TOO_LARGE,
                   "Cannot read 0x%X bytes at 0x%X: that ends beyond the %s flash",
                   ctx->size, ctx->address, size_text);
      return FALSE;
    }

  start = g_get_monotonic_time ();
  data = esplash_flash_read (device, ctx->address, ctx->size, cancellable, error);
  if (data == NULL)
    return FALSE;
  seconds = (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;
  if (!g_file_set_contents (ctx->path, g_bytes_get_data (data, NULL),
                            (gssize) g_bytes_get_size (data), error))
    {
      g_prefix_error (error, "Saving what was read: ");
      return FALSE;
    }
  cli_output_message (ctx->out, ESPLASH_LOG_INFO,
                      "Read %u bytes at 0x%08x in %.1f seconds (%.1f kbit/s)...", ctx->size,
                      ctx->address, seconds,
                      seconds > 0 ? ctx->size * 8.0 / 1000.0 / seconds : 0.0);
  result_int (ctx, "address", ctx->address);
  result_int (ctx, "size", ctx->size);
  result_string (ctx, "file", ctx->path);
  return TRUE;
}

static gboolean
run_erase_flash (CliContext     *ctx,
                 EsplashDevice  *device,
                 GCancellable   *cancellable,
                 GError        **error)
{
  return describe_only (ctx, device, cancellable, error) &&
         esplash_flash_erase_all (device, cancellable, error);
}

static gboolean
prepare_erase_region (CliContext  *ctx,
                      GError     **error)
{
  if (!cli_parse_address (ctx->args[0], &ctx->address, error) ||
      !cli_parse_size (ctx->args[1], &ctx->size, error))
    return FALSE;
  if (ctx->address % SECTOR != 0 || ctx->size % SECTOR != 0 || ctx->size == 0)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_ARGUMENT,
                   "Cannot erase 0x%X bytes at 0x%X: address and size must be non-zero "
                   "multiples of 4096 (0x1000)", ctx->size, ctx->address);
      return FALSE;
    }
  return TRUE;
}

static gboolean
run_erase_region (CliContext     *ctx,
                  EsplashDevice  *device,
                  GCancellable   *cancellable,
                  GError        **error)
{
  gint64 start = g_get_monotonic_time ();

  if (!describe_only (ctx, device, cancellable, error) ||
      !esplash_flash_erase_region (device, ctx->address, ctx->size, cancellable, error))
    return FALSE;
  cli_output_message (ctx->out, ESPLASH_LOG_INFO, "Erase completed successfully in %.1f seconds.",
                      (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC);
  result_int (ctx, "address", ctx->address);
  result_int (ctx, "size", ctx->size);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* chip-id, flash-id, read-mac, info, reset                            */

static gboolean
run_chip_id (CliContext     *ctx,
             EsplashDevice  *device,
             GCancellable   *cancellable,
             GError        **error)
{
  EsplashChipDescription desc;
  const EsplashChipInfo *chip = esplash_device_get_chip (device);

  if (!cli_describe (ctx, device, &desc, cancellable, error))
    return FALSE;
  if (chip->family == ESPLASH_CHIP_ESP8266)
    {
      guint32 id0, id1, id;

      /* The SDK's system_get_chip_id(): bytes of the two OTP MAC words. */
      if (!esplash_device_read_reg (device, chip->mac_reg0, &id0, cancellable, error) ||
          !esplash_device_read_reg (device, chip->mac_reg1, &id1, cancellable, error))
        return FALSE;
      id = (id0 >> 24) | ((id1 & 0xFFFFFF) << 8);
      cli_output_message (ctx->out, ESPLASH_LOG_INFO, "Chip ID: 0x%08x", id);
      result_int (ctx, "chip_serial", id);
      return TRUE;
    }
  if (desc.security.valid && desc.security.has_chip_id)
    {
      cli_output_message (ctx->out, ESPLASH_LOG_INFO, "Chip ID (security info): %u",
                          desc.security.chip_id);
      result_int (ctx, "image_chip_id", desc.security.chip_id);
    }
  cli_output_message (ctx->out, ESPLASH_LOG_WARNING,
                      "%s has no chip serial number; its MAC address identifies it",
                      chip->name);
  return TRUE;
}

static gboolean
run_flash_id (CliContext     *ctx,
              EsplashDevice  *device,
              GCancellable   *cancellable,
              GError        **error)
{
  guint32 id, size;
  g_autofree char *size_text = NULL;

  if (!describe_only (ctx, device, cancellable, error) ||
      !esplash_device_read_flash_id (device, &id, cancellable, error))
    return FALSE;
  size = esplash_flash_size_from_id (id);
  size_text = size != 0 ? cli_format_size (size) : g_strdup ("unknown");
  cli_output_message (ctx->out, ESPLASH_LOG_INFO, "Manufacturer: %02x", id & 0xFF);
  cli_output_message (ctx->out, ESPLASH_LOG_INFO, "Device: %02x%02x", (id >> 8) & 0xFF,
                      (id >> 16) & 0xFF);
  cli_output_message (ctx->out, ESPLASH_LOG_INFO, "Detected flash size: %s", size_text);
  result_int (ctx, "flash_id", id);
  result_int (ctx, "manufacturer", id & 0xFF);
  result_int (ctx, "device", ((id >> 8) & 0xFF) << 8 | ((id >> 16) & 0xFF));
  result_int (ctx, "flash_size", size);
  return TRUE;
}

static gboolean
run_info (CliContext     *ctx,
          EsplashDevice  *device,
          GCancellable   *cancellable,
          GError        **error)
{
  EsplashChipDescription desc;
  g_autofree char *size_text = NULL;

  if (!cli_describe (ctx, device, &desc, cancellable, error))
    return FALSE;
  cli_output_message (ctx->out, ESPLASH_LOG_INFO, "Console: %s", console_name (desc.console));
  cli_output_message (ctx->out, ESPLASH_LOG_INFO, "Loader: %s",
                      desc.stub_running ? "flasher stub" : "ROM");
  result_string (ctx, "console", console_name (desc.console));
  result_bool (ctx, "stub", desc.stub_running);
  result_bool (ctx, "secure_download_mode", desc.secure_download_mode);
  if (desc.secure_download_mode)
    cli_output_message (ctx->out, ESPLASH_LOG_INFO, "Secure Download Mode: enabled");
  if (!desc.secure_download_mode)
    {
      size_text = desc.flash_size != 0 ? cli_format_size (desc.flash_size) : g_strdup ("unknown");
      cli_output_message (ctx->out, ESPLASH_LOG_INFO, "Flash: manufacturer %02x, device %02x%02x, "
                          "size %s", desc.flash_id & 0xFF, (desc.flash_id >> 8) & 0xFF,
                          (desc.flash_id >> 16) & 0xFF, size_text);
      result_int (ctx, "flash_id", desc.flash_id);
      result_int (ctx, "flash_size", desc.flash_size);
    }
  if (desc.security.valid)
    {
      cli_output_message (ctx->out, ESPLASH_LOG_INFO,
                          "Security: flags 0x%08x (secure boot %s), flash crypt count 0x%02x",
                          desc.security.flags,
                          (desc.security.flags & ESPLASH_SECURITY_SECURE_BOOT_EN) != 0 ? "on" : "off",
                          desc.security.flash_crypt_cnt);
      result_int (ctx, "security_flags", desc.security.flags);
      result_int (ctx, "flash_crypt_cnt", desc.security.flash_crypt_cnt);
    }
  return TRUE;
}

static gboolean
run_reset (CliContext     *ctx,
           EsplashDevice  *device,
           GCancellable   *cancellable,
           GError        **error)
{
  result_string (ctx, "after", esplash_after_to_string (ctx->after_value));
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* list-ports                                                          */

static const char *
port_kind_name (EsplashPortKind kind)
{
  switch (kind)
    {
    case ESPLASH_PORT_KIND_USB_BRIDGE:
      return "usb-bridge";
    case ESPLASH_PORT_KIND_ESPRESSIF_USB:
      return "espressif-usb";
    case ESPLASH_PORT_KIND_NATIVE:
      return "native";
    case ESPLASH_PORT_KIND_BLUETOOTH:
      return "bluetooth";
    case ESPLASH_PORT_KIND_OTHER:
    default:
      return "other";
    }
}

static gboolean
run_list_ports (CliContext     *ctx,
                EsplashDevice  *device,
                GCancellable   *cancellable,
                GError        **error)
{
  g_autoptr(GPtrArray) ports = esplash_port_list (error);

  if (ports == NULL)
    return FALSE;
  if (ports->len == 0)
    cli_output_text (ctx->out, "No serial ports found.");
  if (ctx->result != NULL)
    {
      json_builder_set_member_name (ctx->result, "ports");
      json_builder_begin_array (ctx->result);
    }
  for (guint i = 0; i < ports->len; i++)
    {
      const EsplashPortInfo *p = g_ptr_array_index (ports, i);
      g_autofree char *ids = p->usb_vid != 0 ? g_strdup_printf ("%04x:%04x", p->usb_vid, p->usb_pid)
                                             : g_strdup ("-");

      cli_output_text (ctx->out, "%-20s %-9s %s%s", p->path, ids,
                       p->friendly_name != NULL ? p->friendly_name : "",
                       p->looks_like_esp ? "  [ESP]" : "");
      if (ctx->result != NULL)
        {
          JsonBuilder *b = ctx->result;

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "path");
          json_builder_add_string_value (b, p->path);
          json_builder_set_member_name (b, "kind");
          json_builder_add_string_value (b, port_kind_name (p->kind));
          json_builder_set_member_name (b, "usb_vid");
          json_builder_add_int_value (b, p->usb_vid);
          json_builder_set_member_name (b, "usb_pid");
          json_builder_add_int_value (b, p->usb_pid);
          json_builder_set_member_name (b, "name");
          json_builder_add_string_value (b, p->friendly_name);
          json_builder_set_member_name (b, "looks_like_esp");
          json_builder_add_boolean_value (b, p->looks_like_esp);
          json_builder_end_object (b);
        }
    }
  if (ctx->result != NULL)
    json_builder_end_array (ctx->result);
  return TRUE;
}

/* ------------------------------------------------------------------ */

#define FIRMWARE_INPUTS_HELP \
  "Inputs: a build folder (ESP-IDF build/, Arduino build output, PlatformIO\n" \
  ".pio/build/ENV), flasher_args.json, flash_project_args or flash_args,\n" \
  "an ESP Web Tools manifest.json, firmware images, partition tables,\n" \
  "merged images, Intel HEX files, or ADDR FILE pairs (a file written at\n" \
  "ADDR as given; name a file that starts with a digit as ./NAME).\n" \
  "The plan (what goes where, and why) is printed and checked before the\n" \
  "port is opened, and checked again against the connected chip."

#define MONITOR_HELP \
  "The board's output goes to stdout unchanged (colours and line ends as\n" \
  "sent); Esplash's own lines start with \"--- \": decoded crash frames\n" \
  "(function and file:line from --elf), resets, a port that went away and\n" \
  "came back (USB re-enumeration). -b is the app's console rate (115200).\n" \
  "On a terminal: Ctrl-] quits, Ctrl-T Ctrl-R resets the board, other keys\n" \
  "go to the board. Piped input is sent line by line (CR LF)."

static const CliCommand commands[] = {
  { "list-ports", "", "List the serial ports (ESP-looking ones marked)",
    0, 0, FALSE, FALSE, FALSE, NULL, NULL, run_list_ports },
  { "chip-id", "", "Connect and print the chip type and id",
    0, 0, TRUE, FALSE, FALSE, NULL, NULL, run_chip_id },
  { "flash-id", "", "Print the SPI flash manufacturer, device and size",
    0, 0, TRUE, FALSE, FALSE, NULL, NULL, run_flash_id },
  { "read-mac", "", "Print the MAC address",
    0, 0, TRUE, FALSE, FALSE, NULL, NULL, describe_only },
  { "info", "", "Print everything known about the chip and its flash",
    0, 0, TRUE, FALSE, FALSE, NULL, NULL, run_info },
  { "write-flash", "PATH… | ADDR FILE [ADDR FILE…]",
    "Write a build or files to the flash (and verify them)",
    1, G_MAXUINT, TRUE, TRUE, TRUE, FIRMWARE_INPUTS_HELP, cli_prepare_write, cli_run_write, TRUE },
  { "verify-flash", "PATH… | ADDR FILE [ADDR FILE…]",
    "Compare the flash with a build or files (by MD5)",
    1, G_MAXUINT, TRUE, FALSE, FALSE, FIRMWARE_INPUTS_HELP, cli_prepare_verify, cli_run_verify },
  { "read-flash", "ADDR SIZE FILE", "Read SIZE bytes (or ALL) at ADDR into FILE",
    3, 3, TRUE, FALSE, FALSE, NULL, prepare_read, run_read },
  { "erase-flash", "", "Erase the whole flash (needs the stub)",
    0, 0, TRUE, FALSE, FALSE, NULL, NULL, run_erase_flash },
  { "erase-region", "ADDR SIZE", "Erase SIZE bytes at ADDR (multiples of 4096)",
    2, 2, TRUE, FALSE, FALSE, NULL, prepare_erase_region, run_erase_region },
  { "image-info", "FILE",
    "Print the header, segments and checksums of a firmware image, or a partition table",
    1, 1, FALSE, FALSE, FALSE, NULL, cli_prepare_image_info, cli_run_image_info },
  { "reset", "", "Connect, then reset the chip as --after says",
    0, 0, TRUE, FALSE, FALSE, NULL, NULL, run_reset },
  { "monitor", "", "Show the board's output, with a crash's addresses decoded (--elf FILE)",
    0, 0, FALSE, FALSE, FALSE, MONITOR_HELP, cli_prepare_monitor, cli_run_monitor, TRUE },
};

const CliCommand *
cli_command_lookup (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_strcmp0 (commands[i].name, name) == 0)
      return &commands[i];
  /* esptool's underscore spellings too. */
  {
    g_autofree char *dashed = g_strdelimit (g_strdup (name), "_", '-');

    for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
      if (g_strcmp0 (commands[i].name, dashed) == 0)
        return &commands[i];
  }
  return NULL;
}

const CliCommand *
cli_command_list (guint *n_commands)
{
  *n_commands = G_N_ELEMENTS (commands);
  return commands;
}
