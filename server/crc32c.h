/* CRC-32C (Castagnoli), the log's record checksum: SSE4.2's crc32 where the CPU has it. */
#ifndef JX_CRC32C_H
#define JX_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* Extends crc (0 to start) over len bytes of p. */
uint32_t crc32c(uint32_t crc, const void *p, size_t len);

#endif
