/* esplash-sim-spi.c: the chip's memory as the loader sees it — the
 * register file (magic, eFuse words, UART divider, console variable, SPI
 * user-command registers, watchdog), the NOR flash and the RAM segments
 * loaded with MEM_* (protocol.md §6).
 *
 * The eFuse words are built as the inverse of the decode rules in §6.5, so
 * a client decoding them gets back the simulator's options.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "esplash-sim-private.h"

#define SPI_USR_BIT        (1u << 18)
#define INFLATE_CHUNK      (32 * 1024)
/* ESP32 only, not in the chip table because nothing but the simulator needs
 * them: APB_CTL_DATE holds revision bit 2 (§6.5), and RTCCALICFG1 is the
 * ROM's crystal calibration esptool uses for the baud quirk (§2.9). */
#define ESP32_APB_CTL_DATE 0x3FF6607Cu
#define ESP32_RTCCALICFG1  0x3FF5F06Cu
#define ESP32_CK8M_FREQ    128u      /* eFuse word 4 low byte */
#define SFDP_SIGNATURE     0x50444653u

static const guint8 sfdp_table[16] = {
  'S', 'F', 'D', 'P', 0x06, 0x01, 0x00, 0xFF,     /* header: rev 1.6, one parameter header */
  0x00, 0x06, 0x01, 0x10, 0x30, 0x00, 0x00, 0xFF, /* JEDEC basic table at 0x30 */
};

static void
reg_set (EsplashSim *self,
         guint32     address,
         guint32     value)
{
  if (value == 0)
    g_hash_table_remove (self->regs, GUINT_TO_POINTER (address));
  else
    g_hash_table_insert (self->regs, GUINT_TO_POINTER (address), GUINT_TO_POINTER (value));
}

static guint32
reg_get (EsplashSim *self,
         guint32     address)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (self->regs, GUINT_TO_POINTER (address)));
}

static void
reg_or (EsplashSim *self,
        guint32     address,
        guint32     bits)
{
  reg_set (self, address, reg_get (self, address) | bits);
}

static void
encode_mac (EsplashSim *self)
{
  const EsplashChipInfo *chip = self->chip;
  const guint8 *mac = self->opt.mac;
  guint32 low = ((guint32) mac[2] << 24) | (mac[3] << 16) | (mac[4] << 8) | mac[5];

  if (chip->family == ESPLASH_CHIP_ESP8266)
    {
      /* m0[31:24] = byte 5, m1[15:0] = bytes 3..4, m3[23:0] = the OUI */
      reg_or (self, chip->mac_reg0, (guint32) mac[5] << 24);
      reg_or (self, chip->mac_reg1, (mac[3] << 8) | mac[4]);
      reg_or (self, chip->mac_reg3, (mac[0] << 16) | (mac[1] << 8) | mac[2]);
      return;
    }
  /* ESP32 and later: word 0 holds bytes 2..5, word 1 bits 15:0 bytes 0..1 */
  reg_or (self, chip->mac_reg0, low);
  reg_or (self, chip->mac_reg1, (mac[0] << 8) | mac[1]);
  /* chips with an EUI-64 carry the MAC_EXT bytes ff:fe above the MAC */
  if (chip->family == ESPLASH_CHIP_ESP32C6 || chip->family == ESPLASH_CHIP_ESP32H2
      || chip->family == ESPLASH_CHIP_ESP32C5)
    reg_or (self, chip->mac_reg1, 0xFFFEu << 16);
}

static void
encode_revision (EsplashSim *self)
{
  guint32 base = self->chip->efuse_base;
  guint major = self->opt.revision / 100;
  guint minor = self->opt.revision % 100;

  switch (self->chip->family)
    {
    case ESPLASH_CHIP_ESP32:
      {
        /* major from three scattered bits b2b1b0: 0→000, 1→001, 2→011, 3→111 */
        static const guint8 bits_for_major[4] = { 0x0, 0x1, 0x3, 0x7 };
        guint8 bits = bits_for_major[MIN (major, 3)];

        if (bits & 1)
          reg_or (self, base + 0x0C, 1u << 15);
        if (bits & 2)
          reg_or (self, base + 0x14, 1u << 20);
        if (bits & 4)
          reg_or (self, ESP32_APB_CTL_DATE, 1u << 31);
        reg_or (self, base + 0x14, (minor & 3) << 24);
      }
      break;
    case ESPLASH_CHIP_ESP32S2:
      reg_or (self, base + 0x50, ((major & 3) << 18) | (((minor >> 3) & 1) << 20));
      reg_or (self, base + 0x54, (minor & 7) << 4);
      break;
    case ESPLASH_CHIP_ESP32S3:
    case ESPLASH_CHIP_ESP32C3:
      reg_or (self, base + 0x58, ((major & 3) << 24) | (((minor >> 3) & 1) << 23));
      reg_or (self, base + 0x50, (minor & 7) << 18);
      break;
    case ESPLASH_CHIP_ESP32C2:
      reg_or (self, base + 0x44, ((major & 3) << 20) | ((minor & 0xF) << 16));
      break;
    case ESPLASH_CHIP_ESP32C6:
      reg_or (self, base + 0x50, ((major & 3) << 22) | ((minor & 0xF) << 18));
      break;
    case ESPLASH_CHIP_ESP32H2:
      reg_or (self, base + 0x50, ((major & 3) << 21) | ((minor & 7) << 18));
      break;
    case ESPLASH_CHIP_ESP32C5:
    case ESPLASH_CHIP_ESP32C61:
      reg_or (self, base + 0x4C, ((major & 3) << 4) | (minor & 0xF));
      break;
    case ESPLASH_CHIP_ESP32P4:
      reg_or (self, base + 0x4C, (((major >> 2) & 1) << 23) | ((major & 3) << 4) | (minor & 0xF));
      break;
    default:
      break;   /* ESP8266: no revision fields */
    }
}

static guint8
console_value (EsplashSim *self)
{
  switch (self->opt.console)
    {
    case ESPLASH_CONSOLE_USB_OTG:
      return self->chip->uartdev_usb_otg;
    case ESPLASH_CONSOLE_USB_JTAG:
      /* some chips changed the value in later revisions (C61 from v0.3) */
      if (self->chip->uartdev_usb_jtag_alt != 0 &&
          self->opt.revision >= self->chip->uartdev_alt_min_rev)
        return self->chip->uartdev_usb_jtag_alt;
      return self->chip->uartdev_usb_jtag;
    case ESPLASH_CONSOLE_UART:
    default:
      return 0;   /* UART0 */
    }
}

void
sim_regs_init (EsplashSim *self)
{
  const EsplashChipInfo *chip = self->chip;

  g_hash_table_remove_all (self->regs);
  if (chip->n_magic_values > 0)
    reg_set (self, ESPLASH_CHIP_DETECT_MAGIC_REG, chip->magic_values[0]);
  encode_mac (self);
  encode_revision (self);

  /* Both addresses where esptool versions look for the console variable:
   * nothing else lives there that a client reads. */
  if (chip->uartdev_buf_no != 0)
    reg_set (self, chip->uartdev_buf_no, console_value (self));
  if (chip->uartdev_buf_no_alt != 0)
    reg_set (self, chip->uartdev_buf_no_alt, console_value (self));

  if (chip->family == ESPLASH_CHIP_ESP32)
    {
      /* a calibration that reproduces the real crystal exactly:
       * cali × 15625 × 128 / 40 = crystal Hz */
      reg_set (self, ESP32_RTCCALICFG1, (self->crystal_mhz * 20) << 7);
      reg_or (self, chip->efuse_base + 0x10, ESP32_CK8M_FREQ);
    }
}

guint32
sim_reg_read (EsplashSim *self,
              guint32     address)
{
  const EsplashChipInfo *chip = self->chip;

  if (chip->uart_clkdiv_reg != 0 && address == chip->uart_clkdiv_reg)
    {
      guint64 hz = (guint64) self->crystal_mhz * 1000000 * MAX (chip->xtal_clk_divider, 1);

      return (guint32) ((hz + self->chip_baud / 2) / self->chip_baud) & 0xFFFFF;
    }
  if (chip->gpio_strap_reg != 0 && address == chip->gpio_strap_reg)
    {
      guint32 value;

      sim_board_strap_reg (self, &value);
      return value;
    }
  return reg_get (self, address);
}

guint32
sim_rdid (EsplashSim *self)
{
  guint capacity = 0;

  if (self->opt.flash_id != 0)
    return self->opt.flash_id;
  /* JEDEC capacity code = log2(bytes) for the common parts (0x16 = 4 MiB) */
  while ((1u << (capacity + 1)) <= self->flash_size && capacity < 31)
    capacity++;
  return 0xC8 | (0x40 << 8) | (capacity << 16);
}

static void
run_spi_command (EsplashSim *self)
{
  const EsplashSpiRegs *spi = &self->chip->spi;
  guint8 opcode = reg_get (self, spi->base + spi->usr2) & 0xFF;
  guint32 w0 = 0;

  switch (opcode)
    {
    case 0x9F:  /* RDID */
      w0 = sim_rdid (self);
      break;
    case 0x5A:  /* SFDP read: 24-bit address */
      {
        guint32 address = reg_get (self, spi->base + 4);

        if (spi->addr_left_aligned)
          address >>= 8;
        for (guint i = 0; i < 4; i++)
          if (address + i < sizeof sfdp_table)
            w0 |= (guint32) sfdp_table[address + i] << (8 * i);
      }
      break;
    case 0x05:  /* RDSR: idle, not write-protected */
    default:
      w0 = 0;
      break;
    }
  reg_set (self, spi->base + spi->w0, w0);
}

void
sim_reg_write (EsplashSim *self,
               guint32     address,
               guint32     value,
               guint32     mask)
{
  const EsplashChipInfo *chip = self->chip;
  guint32 updated = (reg_get (self, address) & ~mask) | (value & mask);

  reg_set (self, address, updated);

  if (address == chip->spi.base && (updated & SPI_USR_BIT) != 0)
    {
      run_spi_command (self);
      /* the command completes at once: clear the busy bit */
      reg_set (self, address, updated & ~SPI_USR_BIT);
    }
  else if (chip->wdt.config0 != 0 && address == chip->wdt.config0)
    {
      if ((updated >> 31) != 0 && reg_get (self, chip->wdt.wprotect) == ESPLASH_WDT_WKEY)
        sim_board_arm_watchdog (self, reg_get (self, chip->wdt.config1),
                                MAX (self->cmd_time_us, sim_now ()));
      else if ((updated >> 31) == 0)
        sim_board_disarm_watchdog (self);
    }
}

/* ---------------------------------------------------------------- flash */

gboolean
sim_flash_range_ok (EsplashSim *self,
                    guint32     address,
                    guint32     size)
{
  return (guint64) address + size <= self->flash_size;
}

guint
sim_flash_erase (EsplashSim *self,
                 guint32     address,
                 guint32     size)
{
  guint64 start = address - address % SIM_SECTOR_SIZE;
  guint64 end = (guint64) address + size;

  if (size == 0)
    return 0;
  end = (end + SIM_SECTOR_SIZE - 1) / SIM_SECTOR_SIZE * SIM_SECTOR_SIZE;
  end = MIN (end, self->flash_size);
  if (start >= end)
    return 0;
  memset (self->flash + start, 0xFF, end - start);
  return (guint) ((end - start) / SIM_SECTOR_SIZE);
}

/* NOR programming only clears bits. */
void
sim_flash_program (EsplashSim   *self,
                   guint32       address,
                   const guint8 *data,
                   gsize         len)
{
  for (gsize i = 0; i < len && (guint64) address + i < self->flash_size; i++)
    self->flash[address + i] &= data[i];
}

void
sim_flash_md5 (EsplashSim *self,
               guint32     address,
               guint32     size,
               guint8      digest[16])
{
  g_autoptr(GChecksum) md5 = g_checksum_new (G_CHECKSUM_MD5);
  gsize digest_len = 16;

  if (sim_flash_range_ok (self, address, size))
    g_checksum_update (md5, self->flash + address, size);
  g_checksum_get_digest (md5, digest, &digest_len);
}

void
sim_flash_op_clear (SimFlashOp *op)
{
  if (op->z_ready)
    inflateEnd (&op->z);
  memset (op, 0, sizeof *op);
}

/* Feeds one DEFL_DATA payload through the inflater and appends what comes
 * out to @out; at most @limit bytes are kept, the rest sets @overflow.
 * Returns FALSE if the stream is corrupt. */
gboolean
sim_flash_op_inflate (EsplashSim   *self,
                      const guint8 *data,
                      gsize         len,
                      guint32       limit,
                      GByteArray   *out,
                      gboolean     *overflow)
{
  SimFlashOp *op = &self->fop;
  g_autofree guint8 *buf = g_malloc (INFLATE_CHUNK);
  gsize kept = 0;

  *overflow = FALSE;
  if (!op->z_ready)
    {
      memset (&op->z, 0, sizeof op->z);
      if (inflateInit (&op->z) != Z_OK)
        return FALSE;
      op->z_ready = TRUE;
    }
  if (op->z_done)
    return TRUE;   /* trailing bytes after the end of the stream */

  op->z.next_in = (Bytef *) data;
  op->z.avail_in = len;
  for (;;)
    {
      int ret;
      gsize n, keep;

      op->z.next_out = buf;
      op->z.avail_out = INFLATE_CHUNK;
      ret = inflate (&op->z, Z_NO_FLUSH);
      if (ret != Z_OK && ret != Z_STREAM_END && ret != Z_BUF_ERROR)
        return FALSE;
      n = INFLATE_CHUNK - op->z.avail_out;
      keep = MIN (n, (gsize) limit - kept);
      if (keep < n)
        *overflow = TRUE;
      g_byte_array_append (out, buf, keep);
      kept += keep;
      if (ret == Z_STREAM_END)
        {
          op->z_done = TRUE;
          break;
        }
      if (n == 0 || (op->z.avail_in == 0 && op->z.avail_out != 0))
        break;
    }
  return TRUE;
}

/* ------------------------------------------------------------------ RAM */

void
sim_ram_segment_free (gpointer segment)
{
  SimRamSegment *seg = segment;

  g_byte_array_unref (seg->data);
  g_free (seg);
}

void
sim_ram_begin (EsplashSim *self,
               guint32     start,
               guint32     size)
{
  SimRamSegment *seg;

  for (guint i = 0; i < self->ram->len; i++)
    if (((SimRamSegment *) g_ptr_array_index (self->ram, i))->start == start)
      {
        g_ptr_array_remove_index (self->ram, i);
        break;
      }
  seg = g_new0 (SimRamSegment, 1);
  seg->start = start;
  seg->size = size;
  seg->data = g_byte_array_sized_new (size);
  g_ptr_array_add (self->ram, seg);
  self->mem_current = seg;
  self->mem_next_seq = 0;
}

gboolean
sim_ram_append (EsplashSim   *self,
                const guint8 *data,
                gsize         len)
{
  if (self->mem_current == NULL)
    return FALSE;
  g_byte_array_append (self->mem_current->data, data, len);
  self->mem_next_seq++;
  return TRUE;
}

gboolean
sim_ram_contains (EsplashSim *self,
                  guint32     address)
{
  for (guint i = 0; i < self->ram->len; i++)
    {
      SimRamSegment *seg = g_ptr_array_index (self->ram, i);

      if (address >= seg->start && address - seg->start < MAX (seg->data->len, 1))
        return TRUE;
    }
  return FALSE;
}

void
sim_read_op_clear (SimReadOp *op)
{
  g_clear_pointer (&op->md5, g_checksum_free);
  memset (op, 0, sizeof *op);
}
