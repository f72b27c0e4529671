"use client";

// Client keys (BIN-2, product.md §6): the list with Add and Remove on /settings/clients, and the
// Confirm/Cancel of /registerPublicKey. Every write is a same-origin fetch with the session cookie.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import type { Page } from "./api";
import { addClientKey, ClientKeyApiError, fetchClientKeys, removeClientKey, type ClientKeyView } from "./client-keys-api";
import { CopyButton } from "./copy-button";
import { NextPageControls, useKeysetPages } from "./keyset-list";
import { TimeStamp } from "./time-stamp";
import { Button } from "./ui/button";
import { Card } from "./ui/card";
import { EmptyState } from "./ui/empty-state";
import { ErrorNotice } from "./ui/error-notice";
import { Field } from "./ui/field";

const QUERY_KEY = ["client-keys"] as const;

/** `did:key:z6MkekwC…hqpS5`: enough to tell keys apart; the full value is in the title and the copy button. */
function shortDidKey(did: string): string {
  return did.length > 30 ? `${did.slice(0, 18)}…${did.slice(-6)}` : did;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : "Something went wrong.";
}

/** The signed-in user's client keys, an Add form and Remove with confirmation. */
export function ClientKeyManager({ initialPage }: { initialPage: Page<ClientKeyView> }) {
  const { query, items } = useKeysetPages(QUERY_KEY, fetchClientKeys, initialPage);
  return (
    <div className="space-y-6">
      <AddClientKeyForm />
      <section className="space-y-3" aria-label="Your client keys">
        <h2 className="text-lg font-semibold tracking-tight">Your client keys</h2>
        {query.isError && !query.isFetchNextPageError ? <ErrorNotice message={query.error.message} onRetry={() => void query.refetch()} /> : null}
        {items.length === 0 ? (
          <EmptyState title="No client keys yet">
            A client such as the{" "}
            <Link href="/download/client" className="text-accent underline">
              Art DAG CLI
            </Link>{" "}
            shows you its did:key when you log in with it; add it here, or open the link it prints.
          </EmptyState>
        ) : (
          <ul className="divide-y divide-stone-200 overflow-hidden rounded-xl border border-stone-200 bg-white shadow-sm" data-testid="client-key-list">
            {items.map((key) => (
              <ClientKeyRow key={key.did_key} clientKey={key} />
            ))}
          </ul>
        )}
        <NextPageControls query={query} />
      </section>
    </div>
  );
}

function ClientKeyRow({ clientKey }: { clientKey: ClientKeyView }) {
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const remove = useMutation({
    mutationFn: () => removeClientKey(clientKey.did_key),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: QUERY_KEY }),
  });
  return (
    <li className="flex flex-wrap items-center justify-between gap-4 px-4 py-3" data-testid="client-key-row" data-did-key={clientKey.did_key}>
      <div className="min-w-0 space-y-1">
        <p className="font-medium">{clientKey.label ?? <span className="text-stone-500">(no label)</span>}</p>
        <div className="flex flex-wrap items-center gap-2">
          <code className="truncate font-mono text-xs text-stone-700" title={clientKey.did_key} data-testid="client-key-did">
            {shortDidKey(clientKey.did_key)}
          </code>
          <CopyButton value={clientKey.did_key} />
        </div>
        <p className="text-xs text-stone-500">
          Added <TimeStamp iso={clientKey.created_at} /> · last used{" "}
          {clientKey.last_used_at ? <TimeStamp iso={clientKey.last_used_at} /> : <span data-testid="client-key-never">never</span>}
        </p>
        {remove.isError ? (
          <p role="alert" className="text-sm text-red-600">
            Could not remove: {errorText(remove.error)}
          </p>
        ) : null}
      </div>
      {confirming ? (
        <div className="flex flex-wrap items-center gap-2 text-sm" role="group" aria-label="Confirm removal">
          <span>Remove this key? The client using it stops working at once.</span>
          <button
            type="button"
            onClick={() => remove.mutate()}
            disabled={remove.isPending}
            className="rounded-md bg-red-600 px-3 py-1.5 font-medium text-white hover:bg-red-700 disabled:opacity-60"
          >
            {remove.isPending ? "Removing…" : "Yes, remove"}
          </button>
          <button type="button" onClick={() => setConfirming(false)} className="rounded-md border border-stone-300 px-3 py-1.5 hover:bg-stone-100">
            Keep
          </button>
        </div>
      ) : (
        <button type="button" onClick={() => setConfirming(true)} className="rounded-md border border-red-300 px-3 py-1.5 text-sm text-red-700 hover:bg-red-50">
          Remove
        </button>
      )}
    </li>
  );
}

/** Field errors of a refused add: the server's per-field messages, else its message on did_key. */
function addErrors(err: unknown): { did_key?: string; label?: string; form?: string } {
  if (err instanceof ClientKeyApiError) {
    const { did_key, label } = err.fields;
    if (did_key || label) return { did_key, label };
    if (err.status === 400 || err.status === 409) return { did_key: err.message };
    return { form: err.message };
  }
  return { form: errorText(err) };
}

function AddClientKeyForm() {
  const queryClient = useQueryClient();
  const [didKey, setDidKey] = useState("");
  const [label, setLabel] = useState("");
  const add = useMutation({
    mutationFn: addClientKey,
    onSuccess: () => {
      setDidKey("");
      setLabel("");
      return queryClient.invalidateQueries({ queryKey: QUERY_KEY });
    },
  });
  const errors = add.isError ? addErrors(add.error) : {};
  const submit = (e: FormEvent) => {
    e.preventDefault();
    add.mutate({ did_key: didKey.trim(), ...(label.trim() ? { label: label.trim() } : {}) });
  };
  return (
    <Card>
      <form onSubmit={submit} className="space-y-4" noValidate aria-label="Add a client key">
        <h2 className="text-lg font-semibold tracking-tight">Add a client key</h2>
        {errors.form ? (
          <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-700" data-testid="form-error">
            {errors.form}
          </p>
        ) : null}
        <Field
          id="did_key"
          name="did_key"
          label="did:key"
          placeholder="did:key:z6Mk…"
          value={didKey}
          onChange={(e) => setDidKey(e.target.value)}
          error={errors.did_key}
          hint="The Ed25519 did:key your client shows you. Requests it signs act as you."
          autoComplete="off"
          spellCheck={false}
          required
        />
        <Field
          id="label"
          name="label"
          label="Label (optional)"
          placeholder="e.g. laptop CLI"
          value={label}
          maxLength={100}
          onChange={(e) => setLabel(e.target.value)}
          error={errors.label}
        />
        <div className="flex items-center gap-3">
          <Button type="submit" disabled={add.isPending}>
            {add.isPending ? "Adding…" : "Add key"}
          </Button>
          {add.isSuccess ? (
            <p role="status" className="text-sm text-emerald-700">
              Added {shortDidKey(add.data.did_key)}.
            </p>
          ) : null}
        </div>
      </form>
    </Card>
  );
}

/** /registerPublicKey: Confirm stores the key (a POST); Cancel stores nothing. */
/**
 * Confirm/Cancel of /registerPublicKey, with the key's label: the one the client's link proposes
 * (the CLI sends its computer's name), which the person may change or clear.
 */
export function RegisterKeyConfirm({ didKey, username, proposedLabel }: { didKey: string; username: string; proposedLabel: string }) {
  const [cancelled, setCancelled] = useState(false);
  const [label, setLabel] = useState(proposedLabel);
  const register = useMutation({ mutationFn: () => addClientKey({ did_key: didKey, ...(label.trim() ? { label: label.trim() } : {}) }) });
  if (register.isSuccess) {
    return (
      <div role="status" className="space-y-2" data-testid="register-key-done">
        <p className="font-medium text-emerald-700">Key registered. Return to your terminal and press Enter.</p>
        <p className="text-sm text-stone-600">
          You can see and remove it under{" "}
          <Link href="/settings/clients" className="text-accent underline">
            Client keys
          </Link>
          .
        </p>
      </div>
    );
  }
  if (cancelled) {
    return (
      <p role="status" className="text-sm text-stone-700" data-testid="register-key-cancelled">
        Nothing was registered. The client keeps waiting; stop it with Ctrl-C, or{" "}
        <button type="button" onClick={() => setCancelled(false)} className="text-accent underline">
          go back
        </button>
        .
      </p>
    );
  }
  return (
    <div className="space-y-4">
      <p className="text-sm text-stone-700">
        Registering this key lets the client holding its private half act as <strong data-testid="register-key-user">{username}</strong>: read your inbox and
        outbox, register assets and record runs in your name. Only confirm a key your own client showed you.
      </p>
      <Field
        id="register-key-label"
        name="label"
        label="Label (optional)"
        hint="How this key is listed under Client keys, so you can tell your keys apart."
        placeholder="e.g. laptop CLI"
        value={label}
        maxLength={100}
        onChange={(e) => setLabel(e.target.value)}
        error={register.error instanceof ClientKeyApiError ? register.error.fields?.label : undefined}
      />
      {register.isError ? (
        <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-700" data-testid="form-error">
          {errorText(register.error)}
        </p>
      ) : null}
      <div className="flex flex-wrap gap-3">
        <Button type="button" onClick={() => register.mutate()} disabled={register.isPending}>
          {register.isPending ? "Registering…" : "Confirm"}
        </Button>
        <button
          type="button"
          onClick={() => setCancelled(true)}
          disabled={register.isPending}
          className="inline-flex items-center rounded-md border border-stone-300 px-4 py-2 text-sm hover:bg-stone-100"
        >
          Cancel
        </button>
      </div>
    </div>
  );
}
