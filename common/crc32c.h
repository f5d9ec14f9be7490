/*  common/crc32c.h - CRC-32C (Castagnoli), the checksum of the journal's
    records: table-driven in software, or the SSE4.2 instruction.  */
#ifndef CRC32C_H_INCLUDED
#define CRC32C_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

//  CRC-32C of size bytes at data, continuing from crc (0 to start), so
//  crc32c (crc32c (0, a, na), b, nb) == crc32c (0, a || b, na + nb).
//  crc32c (0, "123456789", 9) == 0xE3069283. Uses the CPU instruction
//  when it has one.
uint32_t crc32c (uint32_t crc, const void *data, size_t size);

//  The same, always in software (slicing-by-8).
uint32_t crc32c_sw (uint32_t crc, const void *data, size_t size);

//  True when this CPU has the SSE4.2 crc32 instruction.
bool crc32c_hw_available (void);

//  The same, with the SSE4.2 instruction. Only call it when
//  crc32c_hw_available () is true; otherwise it falls back to software.
uint32_t crc32c_hw (uint32_t crc, const void *data, size_t size);

#endif
