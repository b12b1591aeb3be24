/* esplash-chip-efuse.c: decoding what a chip tells about itself through
 * its registers — revision, MAC, crystal (protocol.md §6.5). The register
 * addresses come from the chip table in esplash-chip.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "esplash-chip.h"
#include "esplash-error.h"

/* ESP32 only: the APB_CTL_DATE register carries the third revision bit. */
#define ESP32_APB_CTL_DATE_REG 0x3FF6607Cu

/* Reads @addresses[i] into @words[i], stopping at the first failure. */
static gboolean
read_words (EsplashRegReader  reader,
            gpointer          user_data,
            const guint32    *addresses,
            guint32          *words,
            guint             n,
            GError          **error)
{
  for (guint i = 0; i < n; i++)
    if (!reader (user_data, addresses[i], &words[i], error))
      return FALSE;
  return TRUE;
}

/* ESP32: three revision bits scattered over two eFuse words and a register;
 * only the combinations below exist. */
static guint
esp32_major (guint32 word3,
             guint32 word5,
             guint32 apb_date)
{
  guint bits = ((apb_date >> 31) & 1) << 2 | ((word5 >> 20) & 1) << 1 | ((word3 >> 15) & 1);

  switch (bits)
    {
    case 1: return 1;
    case 3: return 2;
    case 7: return 3;
    default: return 0;
    }
}

/**
 * esplash_chip_read_revision:
 * @chip: the chip
 * @reader: (scope call) (closure user_data): reads one register
 * @user_data: for @reader
 * @revision: (out): major × 100 + minor
 *
 * Returns: %TRUE on success
 */
gboolean
esplash_chip_read_revision (const EsplashChipInfo *chip,
                            EsplashRegReader       reader,
                            gpointer               user_data,
                            guint                 *revision,
                            GError               **error)
{
  guint32 a[3] = { 0 }, w[3] = { 0 };
  guint n = 0, major = 0, minor = 0;
  guint32 base;

  g_return_val_if_fail (chip != NULL, FALSE);
  g_return_val_if_fail (reader != NULL, FALSE);
  g_return_val_if_fail (revision != NULL, FALSE);

  base = chip->efuse_base;
  switch (chip->family)
    {
    case ESPLASH_CHIP_ESP32:
      a[0] = base + 0x0C; a[1] = base + 0x14; a[2] = ESP32_APB_CTL_DATE_REG; n = 3;
      break;
    case ESPLASH_CHIP_ESP32S2:
      a[0] = base + 0x50; a[1] = base + 0x54; n = 2;
      break;
    case ESPLASH_CHIP_ESP32S3:
      a[0] = base + 0x58; a[1] = base + 0x50; a[2] = base + 0x6C; n = 3;
      break;
    case ESPLASH_CHIP_ESP32C3:
      a[0] = base + 0x58; a[1] = base + 0x50; n = 2;
      break;
    case ESPLASH_CHIP_ESP32C2:
      a[0] = base + 0x44; n = 1;
      break;
    case ESPLASH_CHIP_ESP32C6:
    case ESPLASH_CHIP_ESP32H2:
      a[0] = base + 0x50; n = 1;
      break;
    case ESPLASH_CHIP_ESP32C5:
    case ESPLASH_CHIP_ESP32C61:
    case ESPLASH_CHIP_ESP32P4:
      a[0] = base + 0x4C; n = 1;
      break;
    case ESPLASH_CHIP_ESP8266:
    case ESPLASH_CHIP_UNKNOWN:
    case ESPLASH_CHIP_N_FAMILIES:
    default:
      /* the ESP8266 has no revision fields */
      *revision = 0;
      return TRUE;
    }

  if (!read_words (reader, user_data, a, w, n, error))
    {
      g_prefix_error (error, "Reading the %s revision: ", chip->name);
      return FALSE;
    }

  switch (chip->family)
    {
    case ESPLASH_CHIP_ESP32:
      major = esp32_major (w[0], w[1], w[2]);
      minor = (w[1] >> 24) & 3;
      break;
    case ESPLASH_CHIP_ESP32S2:
      major = (w[0] >> 18) & 3;
      minor = ((w[0] >> 20) & 1) << 3 | ((w[1] >> 4) & 7);
      break;
    case ESPLASH_CHIP_ESP32S3:
      major = (w[0] >> 24) & 3;
      minor = ((w[0] >> 23) & 1) << 3 | ((w[1] >> 18) & 7);
      /* v0.0 chips reused the major field; recognised by their block version 1.1 */
      if ((minor & 7) == 0 && (w[2] & 3) == 1 && ((w[1] >> 24) & 7) == 1)
        major = minor = 0;
      break;
    case ESPLASH_CHIP_ESP32C3:
      major = (w[0] >> 24) & 3;
      minor = ((w[0] >> 23) & 1) << 3 | ((w[1] >> 18) & 7);
      break;
    case ESPLASH_CHIP_ESP32C2:
      major = (w[0] >> 20) & 3;
      minor = (w[0] >> 16) & 0xF;
      break;
    case ESPLASH_CHIP_ESP32C6:
      major = (w[0] >> 22) & 3;
      minor = (w[0] >> 18) & 0xF;
      break;
    case ESPLASH_CHIP_ESP32H2:
      major = (w[0] >> 21) & 3;
      minor = (w[0] >> 18) & 7;
      break;
    case ESPLASH_CHIP_ESP32C5:
    case ESPLASH_CHIP_ESP32C61:
      major = (w[0] >> 4) & 3;
      minor = w[0] & 0xF;
      break;
    case ESPLASH_CHIP_ESP32P4:
      major = ((w[0] >> 23) & 1) << 2 | ((w[0] >> 4) & 3);
      minor = w[0] & 0xF;
      break;
    default:
      g_assert_not_reached ();
    }

  *revision = major * 100 + minor;
  return TRUE;
}

/**
 * esplash_chip_read_mac:
 * @chip: the chip
 * @reader: (scope call) (closure user_data): reads one register
 * @user_data: for @reader
 * @mac: (out caller-allocates) (array fixed-size=6): the base MAC address
 *
 * Returns: %TRUE on success
 */
gboolean
esplash_chip_read_mac (const EsplashChipInfo *chip,
                       EsplashRegReader       reader,
                       gpointer               user_data,
                       guint8                 mac[6],
                       GError               **error)
{
  guint32 a[3], w[3] = { 0 };
  guint n;

  g_return_val_if_fail (chip != NULL, FALSE);
  g_return_val_if_fail (reader != NULL, FALSE);
  g_return_val_if_fail (mac != NULL, FALSE);

  a[0] = chip->mac_reg0;
  a[1] = chip->mac_reg1;
  a[2] = chip->mac_reg3;
  n = chip->mac_reg3 != 0 ? 3 : 2;
  if (!read_words (reader, user_data, a, w, n, error))
    {
      g_prefix_error (error, "Reading the %s MAC address: ", chip->name);
      return FALSE;
    }

  if (chip->family == ESPLASH_CHIP_ESP8266)
    {
      guint8 kind = (w[1] >> 16) & 0xFF;

      /* The OUI is in OTP word 3 when programmed, else implied by a flag byte. */
      if (w[2] != 0)
        {
          mac[0] = (w[2] >> 16) & 0xFF;
          mac[1] = (w[2] >> 8) & 0xFF;
          mac[2] = w[2] & 0xFF;
        }
      else if (kind == 0 || kind == 1)
        {
          static const guint8 ouis[2][3] = { { 0x18, 0xFE, 0x34 }, { 0xAC, 0xD0, 0x74 } };

          memcpy (mac, ouis[kind], 3);
        }
      else
        {
          g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_DEVICE,
                       "Reading the ESP8266 MAC address: unknown OUI selector 0x%02x "
                       "in OTP word 0x%08x = 0x%08x", kind, chip->mac_reg1, w[1]);
          return FALSE;
        }
      mac[3] = (w[1] >> 8) & 0xFF;
      mac[4] = w[1] & 0xFF;
      mac[5] = (w[0] >> 24) & 0xFF;
      return TRUE;
    }

  /* Every ESP32-family chip: the low 16 bits of word 1, then word 0, big-endian. */
  mac[0] = (w[1] >> 8) & 0xFF;
  mac[1] = w[1] & 0xFF;
  mac[2] = (w[0] >> 24) & 0xFF;
  mac[3] = (w[0] >> 16) & 0xFF;
  mac[4] = (w[0] >> 8) & 0xFF;
  mac[5] = w[0] & 0xFF;
  return TRUE;
}

/**
 * esplash_chip_read_crystal:
 * @chip: the chip
 * @reader: (scope call) (closure user_data): reads one register
 * @user_data: for @reader
 * @host_baud: the baud rate the ROM synced at (it derived UART_CLKDIV from it)
 * @mhz: (out): 26, 40 or 48 (or the chip's fixed value, e.g. 32 for ESP32-H2)
 *
 * Returns: %TRUE on success
 */
gboolean
esplash_chip_read_crystal (const EsplashChipInfo *chip,
                           EsplashRegReader       reader,
                           gpointer               user_data,
                           guint                  host_baud,
                           guint                 *mhz,
                           GError               **error)
{
  guint32 clkdiv;
  guint64 scaled;

  g_return_val_if_fail (chip != NULL, FALSE);
  g_return_val_if_fail (mhz != NULL, FALSE);

  if (chip->uart_clkdiv_reg == 0)
    {
      *mhz = chip->fixed_xtal_mhz;
      return TRUE;
    }

  g_return_val_if_fail (reader != NULL, FALSE);
  if (!reader (user_data, chip->uart_clkdiv_reg, &clkdiv, error))
    {
      g_prefix_error (error, "Reading the %s crystal frequency: ", chip->name);
      return FALSE;
    }

  /* estimate (MHz) = baud × div / 1e6 / divider, compared in integers */
  scaled = (guint64) host_baud * (clkdiv & 0xFFFFF);
  if (scaled > 45000000ull * chip->xtal_clk_divider)
    *mhz = 48;
  else if (scaled > 33000000ull * chip->xtal_clk_divider)
    *mhz = 40;
  else
    *mhz = 26;
  return TRUE;
}
