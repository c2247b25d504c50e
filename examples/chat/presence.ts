// Who is in which room, in this process: nicknames are unique (case-insensitively) among the
// people connected here, each socket is in at most one room.

/** One joined socket. */
export interface Member {
  socketId: string;
  nickname: string;
  room: string;
  sessionId: string;
}

/**
 * The people connected to this process and their rooms.
 *
 * @example
 * const presence = new Presence();
 * presence.join({ socketId: "s1", nickname: "ada", room: "general", sessionId: "tab-1" });
 * presence.members("general"); // ["ada"]
 * presence.holderOf("ADA")?.socketId; // "s1"
 */
export class Presence {
  #bySocket = new Map<string, Member>();
  #byNickname = new Map<string, Member>();
  #rooms = new Map<string, Set<Member>>();

  /** The member joined on a socket, if any. */
  get(socketId: string): Member | undefined {
    return this.#bySocket.get(socketId);
  }

  /** Whoever holds a nickname, compared case-insensitively. */
  holderOf(nickname: string): Member | undefined {
    return this.#byNickname.get(nicknameKey(nickname));
  }

  /** Puts a socket in a room under a nickname, taking it out of its previous room first. */
  join(member: Member): void {
    this.leave(member.socketId);
    const entry = { ...member };
    this.#bySocket.set(entry.socketId, entry);
    this.#byNickname.set(nicknameKey(entry.nickname), entry);
    let room = this.#rooms.get(entry.room);
    if (room === undefined) {
      room = new Set();
      this.#rooms.set(entry.room, room);
    }
    room.add(entry);
  }

  /** Takes a socket out of its room and frees its nickname; returns what it was. */
  leave(socketId: string): Member | undefined {
    const member = this.#bySocket.get(socketId);
    if (member === undefined) return undefined;
    this.#bySocket.delete(socketId);
    const key = nicknameKey(member.nickname);
    if (this.#byNickname.get(key) === member) this.#byNickname.delete(key);
    const room = this.#rooms.get(member.room);
    if (room !== undefined) {
      room.delete(member);
      if (room.size === 0) this.#rooms.delete(member.room);
    }
    return member;
  }

  /** The nicknames in a room, sorted for display. */
  members(room: string): string[] {
    const set = this.#rooms.get(room);
    if (set === undefined) return [];
    return [...set].map((m) => m.nickname).sort(compareNicknames);
  }

  /** How many people are in a room. */
  count(room: string): number {
    return this.#rooms.get(room)?.size ?? 0;
  }

  /** The rooms with at least one person in them. */
  rooms(): string[] {
    return [...this.#rooms.keys()];
  }
}

/**
 * The form nicknames are compared in: "Ada" and "ada" are the same person.
 *
 * @example
 * nicknameKey("Ada") === nicknameKey("ada"); // true
 */
export function nicknameKey(nickname: string): string {
  return nickname.toLocaleLowerCase("en");
}

/**
 * The display order of nicknames, ignoring case.
 *
 * @example
 * ["bob", "Ada"].sort(compareNicknames); // ["Ada", "bob"]
 */
export function compareNicknames(a: string, b: string): number {
  return a.localeCompare(b, "en", { sensitivity: "base" });
}
