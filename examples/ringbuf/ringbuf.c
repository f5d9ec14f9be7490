/* A single-producer, single-consumer ring buffer. */
#include <stdatomic.h>
#include <stddef.h>

typedef struct {
    unsigned char *data;
    size_t size;
    atomic_size_t head, tail;
} ringbuf_t;

size_t ringbuf_used (ringbuf_t *self);

size_t
ringbuf_used (ringbuf_t *self)
{
    return atomic_load (&self->head) - atomic_load (&self->tail);
}
