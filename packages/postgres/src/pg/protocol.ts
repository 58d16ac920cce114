/**
 * The protocol of the PostgreSQL engine: every NT transition is one PL/pgSQL function,
 * called as one statement, so it is one transaction. The tables are in `schema.ts`.
 *
 * Ordering: every function that changes state first takes one transaction-level
 * advisory lock per schema (`serialize()`), as the Linux ntsync driver orders wait-all
 * against every other state change with one lock. Within that lock a transition
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
 * Sessions: `open_session` holds a session-level advisory lock (key, session id) as
 * long as the backend lives; the reaper counts a session whose lock is gone (its
 * process died or its connection was cut) or whose lease expired as ended: its mutexes
 * are abandoned to the next waiter, its semaphore units come back, its waits go.
 *
 * Result codes of the functions: 0 success, a Win32 error number (6
 * ERROR_INVALID_HANDLE, 2 ERROR_FILE_NOT_FOUND, 288 ERROR_NOT_OWNER, 298
 * ERROR_TOO_MANY_POSTS), or -1: the calling session no longer exists (it was reaped).
 *
 * Grant notification payload: `<wait id> <index> <abandoned 0|1> <fence>[,<fence>...]`.
 */
import { ident } from './sql-text.js';

/** The functions of layout version 1. */
export function protocolV1(schema: string, key: number): string {
  const s = ident(schema);
  const chan = `'w${key}_'`;
  return `
create function ${s}.serialize() returns void language sql as $$ select pg_advisory_xact_lock(${key}, 0) $$;

create function ${s}.acquirable(o ${s}.objects) returns boolean language sql immutable as $$
  select case o.kind when 'mutex' then o.owner_grant is null else o.count > 0 end
$$;

-- Takes one object for a grant: the state change of a successful wait on it.
create function ${s}.take(p_object bigint, p_grant bigint, p_session int, out r_abandoned boolean, out r_fence bigint)
language plpgsql as $$
declare o ${s}.objects;
begin
  select * into o from ${s}.objects where id = p_object;
  r_abandoned := false;
  if o.kind = 'mutex' then
    r_abandoned := o.abandoned;
    update ${s}.objects set owner_grant = p_grant, owner_session = p_session, abandoned = false, fence = fence + 1
      where id = p_object returning fence into r_fence;
  elsif o.kind = 'semaphore' then
    update ${s}.objects set count = count - 1, fence = fence + 1 where id = p_object returning fence into r_fence;
    insert into ${s}.permits (grant_id, object_id, session) values (p_grant, p_object, p_session);
  else
    update ${s}.objects set count = case when manual_reset then count else 0 end, fence = fence + 1
      where id = p_object returning fence into r_fence;
  end if;
end $$;

-- Grants a wait now if it can be satisfied: r_index is null if not.
create function ${s}.try_grant(p_objects bigint[], p_all boolean, p_grant bigint, p_session int,
  out r_index int, out r_abandoned boolean, out r_fences bigint[])
language plpgsql as $$
declare i int; t record; ok boolean;
begin
  r_abandoned := false;
  r_fences := '{}';
  if p_all then
    select bool_and(${s}.acquirable(o)) into ok from ${s}.objects o where o.id = any(p_objects);
    if not coalesce(ok, false) then return; end if;
    for i in 1 .. cardinality(p_objects) loop
      select * into t from ${s}.take(p_objects[i], p_grant, p_session);
      r_abandoned := r_abandoned or t.r_abandoned;
      r_fences := r_fences || t.r_fence;
    end loop;
    r_index := 0;
  else
    for i in 1 .. cardinality(p_objects) loop
      if (select ${s}.acquirable(o) from ${s}.objects o where o.id = p_objects[i]) then
        select * into t from ${s}.take(p_objects[i], p_grant, p_session);
        r_abandoned := t.r_abandoned;
        r_fences := array[t.r_fence];
        r_index := i - 1;
        return;
      end if;
    end loop;
  end if;
end $$;

-- Grants the queued waits of an object that can now be satisfied, oldest first.
create function ${s}.satisfy(p_object bigint) returns void language plpgsql as $$
declare w record; g record;
begin
  for w in select wt.* from ${s}.queue q join ${s}.waits wt on wt.id = q.wait_id
           where q.object_id = p_object order by q.wait_id loop
    exit when not (select ${s}.acquirable(o) from ${s}.objects o where o.id = p_object);
    select * into g from ${s}.try_grant(w.objects, w.wait_all, w.id, w.session);
    if g.r_index is not null then
      delete from ${s}.waits where id = w.id;
      perform pg_notify(${chan} || w.session,
        w.id || ' ' || g.r_index || ' ' || (case when g.r_abandoned then 1 else 0 end) || ' ' || array_to_string(g.r_fences, ','));
    end if;
  end loop;
end $$;

create function ${s}.session_alive(p_session int) returns boolean language sql stable as $$
  select exists (select 1 from ${s}.sessions where id = p_session)
$$;

create function ${s}.open_session(p_lease_ms int, p_label text) returns int language plpgsql as $$
declare r int;
begin
  insert into ${s}.sessions (pid, lease_until, label)
    values (pg_backend_pid(), now() + p_lease_ms * interval '1 millisecond', p_label) returning id into r;
  -- Held by this backend until it ends: the reaper's proof that the session lives.
  perform pg_advisory_lock(${key}, r);
  return r;
end $$;

create function ${s}.renew(p_session int, p_lease_ms int) returns boolean language plpgsql as $$
begin
  update ${s}.sessions set lease_until = now() + p_lease_ms * interval '1 millisecond'
    where id = p_session and pid = pg_backend_pid();
  return found;
end $$;

-- Ends a session: its waits go, its mutexes are released (abandoned if p_abandon), its units come back.
create function ${s}.end_session(p_session int, p_abandon boolean) returns void language plpgsql as $$
declare o record;
begin
  delete from ${s}.waits where session = p_session;
  for o in select id from ${s}.objects where owner_session = p_session order by id loop
    update ${s}.objects set owner_grant = null, owner_session = null, abandoned = p_abandon where id = o.id;
    perform ${s}.satisfy(o.id);
  end loop;
  for o in select object_id, count(*)::int as n from ${s}.permits where session = p_session group by object_id order by object_id loop
    delete from ${s}.permits where session = p_session and object_id = o.object_id;
    -- Units given back directly (release(count)) may already have filled the semaphore.
    update ${s}.objects set count = least(maximum, count + o.n) where id = o.object_id;
    perform ${s}.satisfy(o.object_id);
  end loop;
  delete from ${s}.sessions where id = p_session;
end $$;

create function ${s}.close_session(p_session int) returns void language plpgsql as $$
begin
  perform ${s}.serialize();
  perform ${s}.end_session(p_session, false);
  perform pg_advisory_unlock(${key}, p_session);
end $$;

-- Ends the sessions (all, or those holding one of p_objects) whose backend is gone or
-- whose lease expired; returns how many. The caller holds serialize().
create function ${s}.reap_sessions(p_objects bigint[]) returns int language plpgsql as $$
declare r record; n int := 0;
begin
  for r in
    select ss.id, ss.pid, l.pid as holder
    from ${s}.sessions ss
    left join pg_locks l on l.locktype = 'advisory' and l.database = (select oid from pg_database where datname = current_database())
      and l.classid = ${key}::oid and l.objid = ss.id::oid and l.objsubid = 2 and l.granted
    where (l.pid is null or ss.lease_until < now())
      and (p_objects is null
        or exists (select 1 from ${s}.objects o where o.owner_session = ss.id and o.id = any(p_objects))
        or exists (select 1 from ${s}.permits p where p.session = ss.id and p.object_id = any(p_objects)))
    order by ss.id
  loop
    -- A backend still alive past its lease (its host vanished): cut it, so that it cannot act as the owner.
    if r.holder is not null and r.holder <> pg_backend_pid() then
      begin
        perform pg_terminate_backend(r.holder);
      exception when others then null;
      end;
    end if;
    perform ${s}.end_session(r.id, true);
    n := n + 1;
  end loop;
  return n;
end $$;

create function ${s}.reap() returns int language plpgsql as $$
begin
  -- The common case, nobody ended: answered without taking the transition lock.
  if not exists (
    select 1 from ${s}.sessions ss
    where ss.lease_until < now() or not exists (
      select 1 from pg_locks l where l.locktype = 'advisory' and l.database = (select oid from pg_database where datname = current_database())
        and l.classid = ${key}::oid and l.objid = ss.id::oid and l.objsubid = 2 and l.granted)
  ) then
    return 0;
  end if;
  perform ${s}.serialize();
  return ${s}.reap_sessions(null);
end $$;

create function ${s}.create_object(p_session int, p_name text, p_kind text, p_count int, p_maximum int, p_manual boolean,
  p_owner boolean, out r_status int, out r_id bigint, out r_existed boolean, out r_manual boolean, out r_grant bigint, out r_fence bigint)
language plpgsql as $$
declare o ${s}.objects;
begin
  perform ${s}.serialize();
  if not ${s}.session_alive(p_session) then r_status := -1; return; end if;
  select * into o from ${s}.objects where name = p_name;
  if found then
    r_id := o.id; r_existed := true; r_manual := o.manual_reset;
    r_status := case when o.kind = p_kind then 0 else 6 end;
    return;
  end if;
  insert into ${s}.objects (name, kind, count, maximum, manual_reset) values (p_name, p_kind, p_count, p_maximum, p_manual)
    returning id into r_id;
  r_existed := false; r_manual := p_manual; r_status := 0;
  if p_kind = 'mutex' and p_owner then
    r_grant := nextval('${s}.grant_ids');
    select t.r_fence into r_fence from ${s}.take(r_id, r_grant, p_session) t;
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
  perform ${s}.serialize();
  select * into o from ${s}.objects where name = p_name;
  if not found then return 2; end if;
  if o.owner_grant is not null or exists (select 1 from ${s}.queue where object_id = o.id)
     or exists (select 1 from ${s}.permits where object_id = o.id) then return 5; end if;
  delete from ${s}.objects where id = o.id;
  return 0;
end $$;

-- A wait: granted now (r_index set), queued (r_wait set, r_index null, if p_enqueue), or neither.
create function ${s}.wait(p_session int, p_objects bigint[], p_all boolean, p_enqueue boolean,
  out r_status int, out r_wait bigint, out r_index int, out r_abandoned boolean, out r_fences bigint[])
language plpgsql as $$
declare g record;
begin
  perform ${s}.serialize();
  if not ${s}.session_alive(p_session) then r_status := -1; return; end if;
  if (select count(*) from ${s}.objects where id = any(p_objects)) <> (select count(distinct x) from unnest(p_objects) x) then
    r_status := 6; return;
  end if;
  r_status := 0;
  r_wait := nextval('${s}.grant_ids');
  select * into g from ${s}.try_grant(p_objects, p_all, r_wait, p_session);
  -- Not available: if a holder's session has ended unnoticed, end it now and try again,
  -- so that an abandoned mutex is available at once, as on Windows.
  if g.r_index is null and ${s}.reap_sessions(p_objects) > 0 then
    select * into g from ${s}.try_grant(p_objects, p_all, r_wait, p_session);
  end if;
  if g.r_index is not null then
    r_index := g.r_index; r_abandoned := g.r_abandoned; r_fences := g.r_fences;
    return;
  end if;
  if p_enqueue then
    insert into ${s}.waits (id, session, wait_all, objects) values (r_wait, p_session, p_all, p_objects);
    insert into ${s}.queue (wait_id, object_id) select r_wait, x from unnest(p_objects) x on conflict do nothing;
  else
    r_wait := null;
  end if;
end $$;

-- Takes a queued wait out: true if it was still queued, false if it was granted (or is gone).
create function ${s}.cancel_wait(p_session int, p_wait bigint) returns boolean language plpgsql as $$
begin
  perform ${s}.serialize();
  delete from ${s}.waits where id = p_wait and session = p_session;
  return found;
end $$;

create function ${s}.release_mutex(p_session int, p_object bigint, p_grant bigint) returns int language plpgsql as $$
begin
  perform ${s}.serialize();
  if not ${s}.session_alive(p_session) then return -1; end if;
  update ${s}.objects set owner_grant = null, owner_session = null
    where id = p_object and kind = 'mutex' and owner_grant = p_grant and owner_session = p_session;
  if not found then return 288; end if;
  perform ${s}.satisfy(p_object);
  return 0;
end $$;

-- Gives back a held unit: 0, -1 (it is not held: the session ended and it came back then) or 298.
create function ${s}.release_permit(p_session int, p_object bigint, p_grant bigint) returns int language plpgsql as $$
begin
  perform ${s}.serialize();
  delete from ${s}.permits where grant_id = p_grant and object_id = p_object and session = p_session;
  if not found then return -1; end if;
  update ${s}.objects set count = count + 1 where id = p_object and count < maximum;
  if not found then return 298; end if;
  perform ${s}.satisfy(p_object);
  return 0;
end $$;

-- ReleaseSemaphore: checked against the maximum inside the transaction; nothing changes on 298.
create function ${s}.release_semaphore(p_object bigint, p_count int, out r_status int, out r_previous int)
language plpgsql as $$
declare o ${s}.objects;
begin
  perform ${s}.serialize();
  select * into o from ${s}.objects where id = p_object;
  if not found or o.kind <> 'semaphore' then r_status := 6; return; end if;
  if p_count > o.maximum - o.count then r_status := 298; return; end if;
  update ${s}.objects set count = count + p_count where id = p_object;
  perform ${s}.satisfy(p_object);
  r_status := 0; r_previous := o.count;
end $$;

-- SetEvent, ResetEvent, PulseEvent. A pulse satisfies the waits queued now and leaves the event unset.
create function ${s}.signal_event(p_object bigint, p_op text) returns int language plpgsql as $$
begin
  perform ${s}.serialize();
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

-- The state of every object, for listings.
create function ${s}.inspect() returns table (name text, kind text, count int, maximum int, manual_reset boolean,
  owner_session int, abandoned boolean, fence bigint, waiters bigint, permits_held bigint)
language sql stable as $$
  select o.name, o.kind, o.count, o.maximum, o.manual_reset, o.owner_session, o.abandoned, o.fence,
    (select count(*) from ${s}.queue q where q.object_id = o.id),
    (select count(*) from ${s}.permits p where p.object_id = o.id)
  from ${s}.objects o order by o.name
$$;
`;
}
