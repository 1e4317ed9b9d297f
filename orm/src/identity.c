/*
 * The identity map: at most one record per (model, key) in a session.
 * Open addressing with linear probing on a 64-bit hash of the key, at
 * most half full, backward-shift deletion. A slot keeps the hash beside
 * the record, so a probe passes other keys without touching their
 * records. The map does not know how to find a record's key: probes ask
 * the session's `key_of` (primary key values, else the rowid).
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "alloc.h"

static uint64_t hash_value(uint64_t h, const orm_value *v)
{
    uint64_t bits = 0;
    h = orm_hash_mix(h, (uint64_t)v->kind);
    switch (v->kind) {
    case ORM_VINT:
        return orm_hash_mix(h, (uint64_t)v->u.i);
    case ORM_VFLOAT:
        if (v->u.f != 0.0) /* 0.0 and -0.0 are equal */
            memcpy(&bits, &v->u.f, sizeof bits);
        return orm_hash_mix(h, bits);
    case ORM_VBOOL:
        return orm_hash_mix(h, (uint64_t)v->u.b);
    case ORM_VTEXT:
    case ORM_VBLOB:
        return orm_hash_bytes(h, v->u.s.ptr, v->u.s.len);
    default:
        return h;
    }
}

uint64_t identity_hash(const orm_model *m, const orm_value *const *key,
                       size_t n)
{
    uint64_t h = orm_hash_mix(0x6a09e667f3bcc909ull, (uint64_t)(uintptr_t)m);
    for (size_t i = 0; i < n; i++)
        h = hash_value(h, key[i]);
    /* Final avalanche: the map indexes by the low bits. */
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    return h ^ (h >> 33);
}

static int key_equal(const orm_record *rec, const orm_model *m,
                     const orm_value *const *key, size_t n,
                     identity_key_fn key_of, void *ctx)
{
    const orm_value *other[ORM_MAX_KEY];
    if (rec->model != m || key_of(ctx, rec, other) != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!orm_value_equal(other[i], key[i]))
            return 0;
    return 1;
}

long identity_probe(const identity_map *map, const orm_model *m,
                    const orm_value *const *key, size_t n, uint64_t hash,
                    identity_key_fn key_of, void *ctx, size_t *empty)
{
    size_t i = hash & (map->cap - 1);
    for (; map->slots[i].rec; i = (i + 1) & (map->cap - 1))
        if (map->slots[i].hash == hash &&
            key_equal(map->slots[i].rec, m, key, n, key_of, ctx))
            return (long)i;
    *empty = i;
    return -1;
}

long identity_find(const identity_map *map, const orm_model *m,
                   const orm_value *const *key, size_t n, uint64_t hash,
                   identity_key_fn key_of, void *ctx)
{
    size_t empty;
    return map->cap ? identity_probe(map, m, key, n, hash, key_of, ctx, &empty)
                    : -1;
}

void identity_prefetch(const identity_map *map, uint64_t hash)
{
#if defined(__GNUC__)
    if (map->cap)
        __builtin_prefetch(&map->slots[hash & (map->cap - 1)]);
#else
    (void)map;
    (void)hash;
#endif
}

void identity_put(identity_map *map, uint64_t hash, orm_record *rec)
{
    size_t i = hash & (map->cap - 1);
    while (map->slots[i].rec)
        i = (i + 1) & (map->cap - 1);
    identity_put_at(map, i, hash, rec);
}

void identity_put_at(identity_map *map, size_t slot, uint64_t hash,
                     orm_record *rec)
{
    map->slots[slot] = (map_slot){hash, rec};
    map->count++;
}

int identity_reserve(identity_map *map, size_t extra)
{
    if ((map->count + extra) * 2 <= map->cap)
        return 0;
    size_t cap = map->cap ? map->cap * 2 : 64;
    while ((map->count + extra) * 2 > cap)
        cap *= 2;
    map_slot *slots = orm_calloc(cap, sizeof *slots);
    if (!slots)
        return ORM_ENOMEM;
    identity_map old = *map;
    *map = (identity_map){slots, cap, 0};
    for (size_t i = 0; i < old.cap; i++)
        if (old.slots[i].rec)
            identity_put(map, old.slots[i].hash, old.slots[i].rec);
    free(old.slots);
    return 0;
}

int identity_remove(identity_map *map, const orm_record *rec, uint64_t hash)
{
    if (!map->cap)
        return 0;
    /* Probe from where it was put: O(1), not a scan of the map. */
    size_t i = hash & (map->cap - 1);
    while (map->slots[i].rec && map->slots[i].rec != rec)
        i = (i + 1) & (map->cap - 1);
    if (!map->slots[i].rec)
        return 0;
    /* Backward-shift deletion keeps probe chains intact. */
    map->slots[i].rec = NULL;
    map->count--;
    for (size_t j = (i + 1) & (map->cap - 1); map->slots[j].rec;
         j = (j + 1) & (map->cap - 1)) {
        map_slot moved = map->slots[j];
        map->slots[j].rec = NULL;
        map->count--;
        identity_put(map, moved.hash, moved.rec);
    }
    return 1;
}

int identity_slot_order(const identity_map *map, const loaded_key *keys,
                        size_t nkeys, size_t *order)
{
    /* Buckets of slots, about one record each: a counting sort. */
    size_t shift = 0;
    while ((map->cap >> shift) > nkeys && (map->cap >> shift) > 1)
        shift++;
    size_t nb = map->cap >> shift;
    size_t *start = orm_calloc(nb + 1, sizeof *start);
    if (!start)
        return ORM_ENOMEM;
    for (size_t k = 0; k < nkeys; k++)
        start[((keys[k].hash & (map->cap - 1)) >> shift) + 1]++;
    for (size_t b = 1; b <= nb; b++)
        start[b] += start[b - 1];
    for (size_t k = 0; k < nkeys; k++)
        order[start[(keys[k].hash & (map->cap - 1)) >> shift]++] = k;
    free(start);
    return 0;
}

orm_record *identity_put_new(identity_map *map, uint64_t hash, orm_record *rec,
                             identity_key_fn key_of, void *ctx)
{
    const orm_value *key[ORM_MAX_KEY];
    size_t n = 0, i = hash & (map->cap - 1);
    for (; map->slots[i].rec; i = (i + 1) & (map->cap - 1)) {
        if (map->slots[i].hash != hash)
            continue;
        if (!n)
            n = key_of(ctx, rec, key);
        if (key_equal(map->slots[i].rec, rec->model, key, n, key_of, ctx))
            return map->slots[i].rec;
    }
    identity_put_at(map, i, hash, rec);
    return NULL;
}

void identity_free(identity_map *map)
{
    free(map->slots);
    *map = (identity_map){NULL, 0, 0};
}
