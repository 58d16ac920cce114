/**
 * The protocol of the PostgreSQL engine: every NT transition is one PL/pgSQL function,
 * called as one statement, so it is one transaction. The tables are in `schema.ts`.
 *
 * Locking, after the Linux ntsync driver (a lock per object; the device-wide
 * `wait_all_lock` only for objects that a multi-object wait involves):
 * - a transition on one object locks that object's row (`for no key update`) and
 *   nothing else, so transitions on different objects never wait for each other;
 * - a transition that may touch several objects (a wait on several, a release of an
 *   object on which a multi-object wait is queued — `objects.multi > 0` —, a cancel of
 *   such a wait, the end of a session) first takes the schema's lock
 *   (`serialize()`, a transaction-level advisory lock), then the rows;
 * - rows are always locked in one global order: the schema lock, then session rows
 *   (a session's own transitions hold its row `for key share`, a reaper ending it holds
 *   it `for update`), then object rows by ascending id. A transition without the schema
 *   lock holds one session row and then one object row and waits for nothing else, so
 *   no cycle of waits can form.
 * - A transition without the schema lock that finds, once it holds the row, a
 *   multi-object wait queued there (`multi` changed since it looked) changes nothing
 *   and returns -2: the client repeats it with `p_global`, which takes the schema lock
 *   first.
 *
 * Within its locks a transition
 * - changes the object's state (a release, a set, a new count),
 * - then `satisfy(object)` walks the object's queue in FIFO (wait id) order and grants
 *   each wait that can now be satisfied: a wait-any gets the lowest index it can take
 *   and leaves every other queue at once (its wait row is deleted, the queue rows
 *   cascade); a wait-all takes all of its objects in that same step or nothing,
 * - and tells the waiting session with `pg_notify` on the session's channel, which
 *   PostgreSQL delivers only when the transaction commits.
 * Invariant after every transaction: no queued wait could be satisfied. So a newcomer
 * that finds an object available does not overtake anyone.
 *
 * Reader-writer locks (`kind = 'rwlock'`): the writer is the owner, as a mutex's; each
 * reader's share is a `permits` row and `count` the number of readers. Their queue is
 * strictly FIFO (the fair mode of Java's ReentrantReadWriteLock hands over the same
 * way): `satisfy` stops at the first wait it cannot grant, so the readers at the head
 * of the queue are granted together and a reader behind a queued writer waits behind
 * it (writers never starve); a newcomer reader that finds anyone queued queues too.
 * Because the head can hold back the waits behind it, taking a wait out of the queue
 * (a cancel, the end of its session) runs `satisfy` again. Only single-object waits
 * reach them (`waitAny`/`waitAll` refuse them), so they never need the schema lock.
 * `abandoned` stays set from a writer's death until the next writer takes the lock:
 * every reader granted meanwhile is told, as what the dead writer left may be half-written.
 *
 * Sessions: `open_session` holds a session-level advisory lock (key, session id) as
 * long as the backend lives. A session whose lock is free (its process died or its
 * connection was cut: probed with `pg_try_advisory_xact_lock_shared`, which only
 * succeeds then) or whose lease expired has ended: its mutexes are abandoned to the next
 * waiter, its semaphore units come back, its waits go. A wait that finds its objects
 * taken probes their holders only (never a scan of `pg_locks`); watchers (`watch`) block
 * on a holder's lock and end its session the moment its backend goes.
 *
 * Result codes of the functions: 0 success, a Win32 error number (6
 * ERROR_INVALID_HANDLE, 2 ERROR_FILE_NOT_FOUND, 288 ERROR_NOT_OWNER, 298
 * ERROR_TOO_MANY_POSTS), -1: the calling session no longer exists (it was reaped), or
 * -2: repeat with `p_global` (see above).
 *
 * Grant notification payload: `<wait id> <index> <abandoned 0|1> <fence>[,<fence>...]`.
 */
import { ident } from './sql-text.js';

/** The functions of the current layout, installed (all replaced) by each migration. */
export function protocol(schema: string, key: number): string {
  const s = ident(schema);
  const chan = `'w${key}_'`;
  return `
create function ${s}.serialize() returns void language sql as $$ select pg_advisory_xact_lock(${key}, 0) $$;

create function ${s}.distinct_count(p_objects bigint[]) returns int language sql immutable as $$
  select count(distinct x)::int from unnest(p_objects) x
$$;

-- Whether a transition on p_objects must take the schema lock (read without locks: a
-- guess, checked again by lock_objects once the rows are held).
create function ${s}.needs_global(p_objects bigint[]) returns boolean language sql stable as $$
  select ${s}.distinct_count(p_objects) > 1 or exists (select 1 from ${s}.objects where id = any(p_objects) and multi > 0)
$$;

-- Locks the rows of p_objects in id order. False: without the schema lock, a
-- multi-object wait is queued on one of them (the caller returns -2).
create function ${s}.lock_objects(p_objects bigint[], p_global boolean) returns boolean language plpgsql as $$
begin
  perform 1 from ${s}.objects where id = any(p_objects) order by id for no key update;
  return p_global or not exists (select 1 from ${s}.objects where id = any(p_objects) and multi > 0);
end $$;

-- A session's own state-changing transitions hold its row, so that a reaper ending the
-- session (which locks the row for update) runs before or after them, never between.
create function ${s}.enter_session(p_session int) returns boolean language plpgsql as $$
begin
  perform 1 from ${s}.sessions where id = p_session for key share;
  return found;
end $$;

create function ${s}.session_alive(p_session int) returns boolean language sql stable as $$
  select exists (select 1 from ${s}.sessions where id = p_session)
$$;

-- True if the backend of the session is gone: its session lock is free. (Taking it
-- shared until the end of this transaction changes nothing: only its owner takes it
-- exclusively.) A backend's own locks never conflict with it, so our own session is
-- never gone.
create function ${s}.backend_gone(p_session int) returns boolean language sql as $$
  select coalesce((select pid <> pg_backend_pid() and pg_try_advisory_xact_lock_shared(${key}, p_session)
    from ${s}.sessions where id = p_session), false)
$$;

-- Whether a holder of one of p_objects (a mutex's owner, a semaphore unit's holder) has ended.
create function ${s}.holders_gone(p_objects bigint[], p_except int) returns boolean language plpgsql as $$
declare r record;
begin
  for r in
    select ss.id, ss.lease_until < now() as expired from ${s}.sessions ss
    where ss.id <> p_except and (ss.id in (select owner_session from ${s}.objects where id = any(p_objects))
      or ss.id in (select session from ${s}.permits where object_id = any(p_objects)))
  loop
    if r.expired or ${s}.backend_gone(r.id) then return true; end if;
  end loop;
  return false;
end $$;

-- The lowest fence of this server incarnation: epoch * 2^32 + 1. A fence is
-- greatest(previous + 1, floor): it grows by one within an incarnation and jumps past
-- every fence of earlier incarnations, also those lost with an unflushed tail.
create function ${s}.fence_floor() returns bigint language sql stable as $$
  select epoch::bigint * 4294967296 + 1 from ${s}.incarnation
$$;

-- p_shared: a reader's wait (reader-writer locks only).
create function ${s}.acquirable(o ${s}.objects, p_shared boolean) returns boolean language sql immutable as $$
  select case o.kind when 'mutex' then o.owner_grant is null
    when 'rwlock' then o.owner_grant is null and (p_shared or o.count = 0)
    else o.count > 0 end
$$;

-- Takes one object for a grant: the state change of a successful wait on it. The caller holds its row.
create function ${s}.take(p_object bigint, p_grant bigint, p_session int, p_shared boolean, out r_abandoned boolean, out r_fence bigint)
language plpgsql as $$
declare o ${s}.objects;
begin
  select * into o from ${s}.objects where id = p_object;
  r_abandoned := false;
  if o.kind = 'mutex' or (o.kind = 'rwlock' and not p_shared) then
    r_abandoned := o.abandoned;
    update ${s}.objects set owner_grant = p_grant, owner_session = p_session, owner_since = now(), abandoned = false,
      fence = greatest(fence + 1, ${s}.fence_floor())
      where id = p_object returning fence into r_fence;
  elsif o.kind = 'rwlock' then
    -- A reader: told of an abandonment, which only the next writer clears.
    r_abandoned := o.abandoned;
    update ${s}.objects set count = count + 1, fence = greatest(fence + 1, ${s}.fence_floor()) where id = p_object returning fence into r_fence;
    insert into ${s}.permits (grant_id, object_id, session) values (p_grant, p_object, p_session);
  elsif o.kind = 'semaphore' then
    update ${s}.objects set count = count - 1, fence = greatest(fence + 1, ${s}.fence_floor()) where id = p_object returning fence into r_fence;
    insert into ${s}.permits (grant_id, object_id, session) values (p_grant, p_object, p_session);
  else
    update ${s}.objects set count = case when manual_reset then count else 0 end, fence = greatest(fence + 1, ${s}.fence_floor())
      where id = p_object returning fence into r_fence;
  end if;
end $$;

-- Grants a wait now if it can be satisfied: r_index is null if not. The caller holds the rows.
create function ${s}.try_grant(p_objects bigint[], p_all boolean, p_shared boolean, p_grant bigint, p_session int,
  out r_index int, out r_abandoned boolean, out r_fences bigint[])
language plpgsql as $$
declare i int; t record; ok boolean;
begin
  r_abandoned := false;
  r_fences := '{}';
  if p_all then
    select bool_and(${s}.acquirable(o, p_shared)) into ok from ${s}.objects o where o.id = any(p_objects);
    if not coalesce(ok, false) then return; end if;
    for i in 1 .. cardinality(p_objects) loop
      select * into t from ${s}.take(p_objects[i], p_grant, p_session, p_shared);
      r_abandoned := r_abandoned or t.r_abandoned;
      r_fences := r_fences || t.r_fence;
    end loop;
    r_index := 0;
  else
    for i in 1 .. cardinality(p_objects) loop
      if (select ${s}.acquirable(o, p_shared) from ${s}.objects o where o.id = p_objects[i]) then
        select * into t from ${s}.take(p_objects[i], p_grant, p_session, p_shared);
        r_abandoned := t.r_abandoned;
        r_fences := array[t.r_fence];
        r_index := i - 1;
        return;
      end if;
    end loop;
  end if;
end $$;

-- Takes a wait out of every queue (its queue rows cascade); the caller holds its objects' rows.
create function ${s}.dequeue(p_wait bigint, p_objects bigint[]) returns void language plpgsql as $$
begin
  delete from ${s}.waits where id = p_wait;
  if ${s}.distinct_count(p_objects) > 1 then
    update ${s}.objects set multi = multi - 1 where id = any(p_objects);
  end if;
end $$;

-- Grants the queued waits of an object that can now be satisfied, oldest first. The
-- caller holds the object's row, and the schema lock if a multi-object wait is queued.
-- It stops at the first wait the object cannot satisfy (for a reader-writer lock, the
-- head of its queue: nobody overtakes it).
create function ${s}.satisfy(p_object bigint) returns void language plpgsql as $$
declare w record; g record;
begin
  for w in select wt.* from ${s}.queue q join ${s}.waits wt on wt.id = q.wait_id
           where q.object_id = p_object order by q.wait_id loop
    exit when not (select ${s}.acquirable(o, w.shared) from ${s}.objects o where o.id = p_object);
    -- A multi-object wait: its other objects' rows (the schema lock is held: any order is safe).
    if ${s}.distinct_count(w.objects) > 1 then perform ${s}.lock_objects(w.objects, true); end if;
    select * into g from ${s}.try_grant(w.objects, w.wait_all, w.shared, w.id, w.session);
    if g.r_index is not null then
      perform ${s}.dequeue(w.id, w.objects);
      perform pg_notify(${chan} || w.session,
        w.id || ' ' || g.r_index || ' ' || (case when g.r_abandoned then 1 else 0 end) || ' ' || array_to_string(g.r_fences, ','));
    end if;
  end loop;
end $$;

create function ${s}.open_session(p_lease_ms int, p_label text) returns int language plpgsql as $$
declare r int;
begin
  -- The first session of a server incarnation raises the fences' epoch, flushed to disk
  -- before it returns (whatever synchronous_commit says), so before anything is granted.
  if (select started from ${s}.incarnation) is distinct from pg_postmaster_start_time() then
    perform 1 from ${s}.incarnation for update;
    if (select started from ${s}.incarnation) is distinct from pg_postmaster_start_time() then
      update ${s}.incarnation set epoch = epoch + 1, started = pg_postmaster_start_time();
      perform set_config('synchronous_commit', 'on', true);
    end if;
  end if;
  insert into ${s}.sessions (pid, lease_until, label)
    values (pg_backend_pid(), now() + p_lease_ms * interval '1 millisecond', p_label) returning id into r;
  -- Held by this backend until it ends: the proof that the session lives.
  perform pg_advisory_lock(${key}, r);
  return r;
end $$;

-- Run by the session's renewal connection (\`renewer.ts\`), so it must not follow the
-- session's backend: it renews only while that backend lives (its lock is held). An
-- update that does not change the key: it never waits for transitions, which hold the
-- row for key share.
create function ${s}.renew(p_session int, p_lease_ms int) returns boolean language plpgsql as $$
begin
  update ${s}.sessions set lease_until = now() + p_lease_ms * interval '1 millisecond'
    where id = p_session and (pid = pg_backend_pid() or not ${s}.backend_gone(p_session));
  return found;
end $$;

-- Ends a session: its waits go, its mutexes are released (abandoned if p_abandon), its
-- units come back. The caller holds the schema lock and the session's row.
create function ${s}.end_session(p_session int, p_abandon boolean) returns void language plpgsql as $$
declare o record; w record; v_objects bigint[];
begin
  -- Every object the session owns, holds or waits for: a wait of it may be granted until we hold them.
  select coalesce(array_agg(x), '{}') into v_objects from (
    select id as x from ${s}.objects where owner_session = p_session
    union select object_id from ${s}.permits where session = p_session
    union select unnest(objects) from ${s}.waits where session = p_session) t;
  perform ${s}.lock_objects(v_objects, true);
  for w in select id, objects from ${s}.waits where session = p_session loop
    perform ${s}.dequeue(w.id, w.objects);
  end loop;
  for o in select id from ${s}.objects where owner_session = p_session order by id loop
    update ${s}.objects set owner_grant = null, owner_session = null, owner_since = null, abandoned = p_abandon where id = o.id;
    perform ${s}.satisfy(o.id);
  end loop;
  for o in select object_id, count(*)::int as n from ${s}.permits where session = p_session group by object_id order by object_id loop
    delete from ${s}.permits where session = p_session and object_id = o.object_id;
    -- A reader's share goes (a dead reader abandons nothing: it wrote nothing). Units
    -- given back directly (release(count)) may already have filled the semaphore.
    update ${s}.objects set count = case when kind = 'rwlock' then count - o.n else least(maximum, count + o.n) end
      where id = o.object_id;
    perform ${s}.satisfy(o.object_id);
  end loop;
  -- A writer of the session that was queued at the head may have held readers back.
  perform ${s}.satisfy(x.id) from ${s}.objects x where x.id = any(v_objects) and x.kind = 'rwlock';
  delete from ${s}.sessions where id = p_session;
end $$;

create function ${s}.close_session(p_session int) returns void language plpgsql as $$
begin
  perform ${s}.serialize();
  perform 1 from ${s}.sessions where id = p_session for update;
  if found then perform ${s}.end_session(p_session, false); end if;
  perform pg_advisory_unlock(${key}, p_session);
end $$;

-- Ends the sessions (all, or those holding one of p_objects; never p_except) whose
-- backend is gone or whose lease expired; returns how many. The caller holds the schema lock.
create function ${s}.reap_sessions(p_objects bigint[], p_except int) returns int language plpgsql as $$
declare r record; v_ids int[] := '{}'; v_alive int[] := '{}'; n int := 0;
begin
  for r in
    select ss.id, ss.lease_until < now() as expired from ${s}.sessions ss
    where ss.id <> p_except and (p_objects is null
      or ss.id in (select owner_session from ${s}.objects where id = any(p_objects))
      or ss.id in (select session from ${s}.permits where object_id = any(p_objects)))
    order by ss.id
  loop
    if ${s}.backend_gone(r.id) then v_ids := v_ids || r.id;
    elsif r.expired then v_ids := v_ids || r.id; v_alive := v_alive || r.id;
    end if;
  end loop;
  if cardinality(v_ids) = 0 then return 0; end if;
  -- Session rows before object rows (the global order); a session closed meanwhile is gone.
  for r in select id, pid from ${s}.sessions where id = any(v_ids) order by id for update loop
    -- A backend still alive past its lease (its host vanished): cut it, so that it cannot
    -- act as the owner. Its lock is still held, so the pid is still that backend's.
    if r.id = any(v_alive) and r.pid <> pg_backend_pid() then
      begin
        perform pg_terminate_backend(r.pid);
      exception when others then null;
      end;
    end if;
  end loop;
  for r in select id from ${s}.sessions where id = any(v_ids) order by id loop
    perform ${s}.end_session(r.id, true);
    n := n + 1;
  end loop;
  return n;
end $$;

-- The lease backstop, run by each session every reapInterval while it waits.
create function ${s}.reap() returns int language plpgsql as $$
begin
  -- The common case, nobody ended: answered without the schema lock.
  if not exists (select 1 from ${s}.sessions ss where ss.lease_until < now() or ${s}.backend_gone(ss.id)) then
    return 0;
  end if;
  perform ${s}.serialize();
  return ${s}.reap_sessions(null, 0);
end $$;

-- The watcher of session p_session (a second connection of its process, run while the
-- session has waits queued): blocks, up to the watcher's lock_timeout, on the session
-- lock of one holder (turn by turn when several) of an object that a queued wait of
-- p_session waits for, so that the moment that holder's backend ends, the session is
-- ended here and its objects go to the waiters (a death pushed, not polled; the reaper
-- stays as the lease's backstop). -1: nothing to watch; 0: the holder lives (the lock
-- timed out, or it closed cleanly); n > 0: the sessions it ended.
create function ${s}.watch(p_session int, p_turn int) returns int language plpgsql as $$
declare v_holders int[]; h int;
begin
  select array_agg(distinct x order by x) into v_holders from (
    select o.owner_session as x from ${s}.waits w join ${s}.queue q on q.wait_id = w.id join ${s}.objects o on o.id = q.object_id
      where w.session = p_session
    union select p.session from ${s}.waits w join ${s}.queue q on q.wait_id = w.id join ${s}.permits p on p.object_id = q.object_id
      where w.session = p_session) t
  where x is not null and x <> p_session;
  if v_holders is null then return -1; end if;
  h := v_holders[1 + p_turn % cardinality(v_holders)];
  begin
    perform pg_advisory_xact_lock_shared(${key}, h);
  exception when lock_not_available then return 0;
  end;
  -- The schema lock may be busy for longer than the watch's timeout: wait for it.
  perform set_config('lock_timeout', '0', true);
  perform ${s}.serialize();
  return ${s}.reap_sessions(null, 0);
end $$;

create function ${s}.create_object(p_session int, p_name text, p_kind text, p_count int, p_maximum int, p_manual boolean,
  p_owner boolean, out r_status int, out r_id bigint, out r_existed boolean, out r_manual boolean, out r_grant bigint, out r_fence bigint)
language plpgsql as $$
declare o ${s}.objects;
begin
  if not ${s}.enter_session(p_session) then r_status := -1; return; end if;
  insert into ${s}.objects (name, kind, count, maximum, manual_reset) values (p_name, p_kind, p_count, p_maximum, p_manual)
    on conflict (name) do nothing returning id into r_id;
  if r_id is null then
    select * into o from ${s}.objects where name = p_name;
    r_id := o.id; r_existed := true; r_manual := o.manual_reset;
    r_status := case when o.kind = p_kind then 0 else 6 end;
    return;
  end if;
  r_existed := false; r_manual := p_manual; r_status := 0;
  if p_kind = 'mutex' and p_owner then
    r_grant := nextval('${s}.grant_ids');
    select t.r_fence into r_fence from ${s}.take(r_id, r_grant, p_session, false) t;
  end if;
end $$;

create function ${s}.open_object(p_name text, p_kind text, out r_status int, out r_id bigint, out r_manual boolean)
language plpgsql as $$
declare o ${s}.objects;
begin
  select * into o from ${s}.objects where name = p_name;
  if not found then r_status := 2; return; end if;
  r_id := o.id; r_manual := o.manual_reset;
  r_status := case when o.kind = p_kind then 0 else 6 end;
end $$;

-- Removes a named object nobody owns, holds or waits for: 0, 2 (no such object) or 5 (in use).
create function ${s}.remove_object(p_name text) returns int language plpgsql as $$
declare o ${s}.objects;
begin
  select * into o from ${s}.objects where name = p_name for no key update;
  if not found then return 2; end if;
  if o.owner_grant is not null or exists (select 1 from ${s}.queue where object_id = o.id)
     or exists (select 1 from ${s}.permits where object_id = o.id) then return 5; end if;
  delete from ${s}.objects where id = o.id;
  return 0;
end $$;

-- A wait: granted now (r_index set), queued (r_wait set, r_index null, if p_enqueue), or neither.
-- p_shared: a reader's wait on a reader-writer lock (alone: they never join multi-object waits).
create function ${s}.wait(p_session int, p_objects bigint[], p_all boolean, p_shared boolean, p_enqueue boolean, p_global boolean,
  out r_status int, out r_wait bigint, out r_index int, out r_abandoned boolean, out r_fences bigint[])
language plpgsql as $$
declare g record; o ${s}.objects; v_global boolean;
begin
  -- The hot path, a free mutex alone: its row, and nothing else. (Fewer statements: each costs.)
  if cardinality(p_objects) = 1 and not p_global then
    perform 1 from ${s}.sessions where id = p_session for key share;
    if not found then r_status := -1; return; end if;
    select * into o from ${s}.objects where id = p_objects[1] for no key update;
    if not found then r_status := 6; return; end if;
    if o.multi > 0 then r_status := -2; return; end if;
    if o.kind = 'mutex' and o.owner_grant is null and not p_shared then
      r_status := 0; r_index := 0; r_abandoned := o.abandoned;
      r_wait := nextval('${s}.grant_ids');
      update ${s}.objects set owner_grant = r_wait, owner_session = p_session, owner_since = now(), abandoned = false,
        fence = greatest(fence + 1, ${s}.fence_floor())
        where id = o.id returning array[fence] into r_fences;
      return;
    end if;
  end if;
  v_global := p_global or ${s}.needs_global(p_objects);
  if v_global then perform ${s}.serialize(); end if;
  if not ${s}.enter_session(p_session) then r_status := -1; return; end if;
  -- Taken by a session that has ended unnoticed: end it now (session rows before object
  -- rows), so that an abandoned mutex is available at once, as on Windows.
  if v_global and ${s}.holders_gone(p_objects, p_session) then perform ${s}.reap_sessions(p_objects, p_session); end if;
  if not ${s}.lock_objects(p_objects, v_global) then r_status := -2; return; end if;
  if (select count(*) from ${s}.objects where id = any(p_objects)) <> ${s}.distinct_count(p_objects) then
    r_status := 6; return;
  end if;
  -- A reader's wait is on one reader-writer lock, and a reader-writer lock is waited for alone.
  if (p_shared or cardinality(p_objects) > 1) and exists (select 1 from ${s}.objects where id = any(p_objects)
      and (kind = 'rwlock') <> p_shared) then
    r_status := 6; return;
  end if;
  r_status := 0;
  r_wait := nextval('${s}.grant_ids');
  -- A reader that finds a wait queued (a writer's: readers are never queued while readers hold it) queues behind it.
  if not (p_shared and exists (select 1 from ${s}.queue where object_id = p_objects[1])) then
    select * into g from ${s}.try_grant(p_objects, p_all, p_shared, r_wait, p_session);
    if g.r_index is not null then
      r_index := g.r_index; r_abandoned := g.r_abandoned; r_fences := g.r_fences;
      return;
    end if;
  end if;
  -- Not available and a holder has ended: repeat with the schema lock, which reaps it.
  if not v_global and ${s}.holders_gone(p_objects, p_session) then r_status := -2; r_wait := null; return; end if;
  if p_enqueue then
    insert into ${s}.waits (id, session, wait_all, shared, objects) values (r_wait, p_session, p_all, p_shared, p_objects);
    insert into ${s}.queue (wait_id, object_id) select r_wait, x from unnest(p_objects) x on conflict do nothing;
    if ${s}.distinct_count(p_objects) > 1 then
      update ${s}.objects set multi = multi + 1 where id = any(p_objects);
    end if;
  else
    r_wait := null;
  end if;
end $$;

-- Takes a queued wait out: 1 if it was still queued, 0 if it was granted (or is gone), -2.
create function ${s}.cancel_wait(p_session int, p_wait bigint, p_global boolean) returns int language plpgsql as $$
declare v_objects bigint[]; v_global boolean;
begin
  select objects into v_objects from ${s}.waits where id = p_wait and session = p_session;
  if not found then return 0; end if;
  v_global := p_global or ${s}.needs_global(v_objects);
  if v_global then perform ${s}.serialize(); end if;
  if not ${s}.lock_objects(v_objects, v_global) then return -2; end if;
  -- Granted while we took the locks: the grant is on its way.
  if not exists (select 1 from ${s}.waits where id = p_wait) then return 0; end if;
  perform ${s}.dequeue(p_wait, v_objects);
  -- A writer cancelled at the head of a reader-writer lock's queue may have held readers back.
  perform ${s}.satisfy(x.id) from ${s}.objects x where x.id = any(v_objects) and x.kind = 'rwlock';
  return 1;
end $$;

-- Opens a transition on one object: the schema lock if it may touch others, then its row. -2: repeat with p_global.
create function ${s}.enter_object(p_object bigint, p_global boolean) returns int language plpgsql as $$
declare v_global boolean := p_global or ${s}.needs_global(array[p_object]);
begin
  if v_global then perform ${s}.serialize(); end if;
  if not ${s}.lock_objects(array[p_object], v_global) then return -2; end if;
  return 0;
end $$;

create function ${s}.release_mutex(p_session int, p_object bigint, p_grant bigint, p_global boolean) returns int language plpgsql as $$
begin
  if p_global then perform ${s}.serialize(); end if;
  -- One statement locks the row and releases it, unless a multi-object wait is queued
  -- there (then only under the schema lock).
  update ${s}.objects set owner_grant = null, owner_session = null, owner_since = null
    where id = p_object and kind in ('mutex', 'rwlock') and owner_grant = p_grant and owner_session = p_session and (multi = 0 or p_global);
  if found then
    if exists (select 1 from ${s}.queue where object_id = p_object) then perform ${s}.satisfy(p_object); end if;
    return 0;
  end if;
  -- Not released: the update may have locked the row, so nothing more is taken without the schema lock.
  if not p_global then return -2; end if;
  if not ${s}.session_alive(p_session) then return -1; end if;
  return 288;
end $$;

-- A reader gives its share back: 0, or -1 (it is not held: the session ended and it went then).
create function ${s}.release_shared(p_session int, p_object bigint, p_grant bigint, p_global boolean) returns int language plpgsql as $$
begin
  if ${s}.enter_object(p_object, p_global) <> 0 then return -2; end if;
  delete from ${s}.permits where grant_id = p_grant and object_id = p_object and session = p_session;
  if not found then return -1; end if;
  update ${s}.objects set count = count - 1 where id = p_object;
  perform ${s}.satisfy(p_object);
  return 0;
end $$;

-- Gives back a held unit: 0, -1 (it is not held: the session ended and it came back then) or 298.
create function ${s}.release_permit(p_session int, p_object bigint, p_grant bigint, p_global boolean) returns int language plpgsql as $$
begin
  if ${s}.enter_object(p_object, p_global) <> 0 then return -2; end if;
  delete from ${s}.permits where grant_id = p_grant and object_id = p_object and session = p_session;
  if not found then return -1; end if;
  update ${s}.objects set count = count + 1 where id = p_object and count < maximum;
  if not found then return 298; end if;
  perform ${s}.satisfy(p_object);
  return 0;
end $$;

-- ReleaseSemaphore: checked against the maximum inside the transaction; nothing changes on 298.
create function ${s}.release_semaphore(p_object bigint, p_count int, p_global boolean, out r_status int, out r_previous int)
language plpgsql as $$
declare o ${s}.objects;
begin
  r_status := ${s}.enter_object(p_object, p_global);
  if r_status <> 0 then return; end if;
  select * into o from ${s}.objects where id = p_object;
  if not found or o.kind <> 'semaphore' then r_status := 6; return; end if;
  if p_count > o.maximum - o.count then r_status := 298; return; end if;
  update ${s}.objects set count = count + p_count where id = p_object;
  perform ${s}.satisfy(p_object);
  r_status := 0; r_previous := o.count;
end $$;

-- SetEvent, ResetEvent, PulseEvent. A pulse satisfies the waits queued now and leaves the event unset.
create function ${s}.signal_event(p_object bigint, p_op text, p_global boolean) returns int language plpgsql as $$
begin
  if ${s}.enter_object(p_object, p_global) <> 0 then return -2; end if;
  if not exists (select 1 from ${s}.objects where id = p_object and kind = 'event') then return 6; end if;
  if p_op = 'reset' then
    update ${s}.objects set count = 0 where id = p_object;
    return 0;
  end if;
  update ${s}.objects set count = 1 where id = p_object;
  perform ${s}.satisfy(p_object);
  if p_op = 'pulse' then update ${s}.objects set count = 0 where id = p_object; end if;
  return 0;
end $$;

-- For the user's own SQL, inside the transaction that writes what the lock protects:
-- true if p_fence is the fence of the current owner of mutex p_name (or writer of reader-writer lock p_name). The row stays
-- locked (for share) until that transaction ends, so the mutex cannot change hands
-- before the writes commit: a release, or the end of the holder's session, waits.
create function ${s}.check_fence(p_name text, p_fence bigint) returns boolean language plpgsql as $$
begin
  perform 1 from ${s}.objects where name = p_name and kind in ('mutex', 'rwlock') and owner_grant is not null and fence = p_fence for share;
  return found;
end $$;

-- The same, raising an error (SQLSTATE 55000, object_not_in_prerequisite_state) if the fence is not current.
create function ${s}.assert_fence(p_name text, p_fence bigint) returns void language plpgsql as $$
begin
  if not ${s}.check_fence(p_name, p_fence) then
    raise exception 'waitables: fence % is not the current owner''s of mutex "%"', p_fence, p_name
      using errcode = '55000', hint = 'The lock was released or lost; a later holder may have written since.';
  end if;
end $$;

-- The state of every object, for listings.
-- Ages in ms on the server's clock (no client clock is compared with it).
create function ${s}.age_ms(p_since timestamptz) returns bigint language sql stable as $$
  select greatest(0, floor(extract(epoch from clock_timestamp() - p_since) * 1000))::bigint
$$;

-- The state of every object, for listings: its holders (the owner or writer, then the
-- units or readers, oldest first) and its queue (FIFO order), each with its age.
create function ${s}.inspect() returns table (name text, kind text, count int, maximum int, manual_reset boolean,
  owner_session int, abandoned boolean, fence bigint, waiters bigint, permits_held bigint, holders jsonb, queue jsonb)
language sql stable as $$
  select o.name, o.kind, o.count, o.maximum, o.manual_reset, o.owner_session, o.abandoned, o.fence,
    (select count(*) from ${s}.queue q where q.object_id = o.id),
    (select count(*) from ${s}.permits p where p.object_id = o.id),
    (select coalesce(jsonb_agg(jsonb_build_object('session', h.session, 'shared', h.shared, 'heldMs', ${s}.age_ms(h.since))
        order by h.shared, h.since, h.grant_id), '[]'::jsonb)
      from (select o.owner_session as session, false as shared, o.owner_since as since, o.owner_grant as grant_id where o.owner_grant is not null
        union all select p.session, true, p.since, p.grant_id from ${s}.permits p where p.object_id = o.id) h),
    (select coalesce(jsonb_agg(jsonb_build_object('session', w.session, 'shared', w.shared, 'waitedMs', ${s}.age_ms(w.queued_at),
        'objects', cardinality(w.objects)) order by w.id), '[]'::jsonb)
      from ${s}.queue q join ${s}.waits w on w.id = q.wait_id where q.object_id = o.id)
  from ${s}.objects o order by o.name
$$;
`;
}
