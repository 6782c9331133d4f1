package io.github.gambiarra.cli.monitor;

import io.github.gambiarra.client.RoomEvent;
import io.github.gambiarra.protocol.HubEvent;
import io.github.gambiarra.protocol.MachineSpecs;
import io.github.gambiarra.protocol.Messages;
import io.github.gambiarra.protocol.Participant;
import io.github.gambiarra.protocol.Room;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the monitor shows, built from room events and listings alone, so it can be tested
 * without a terminal: rooms as tabs, participants as cards, an activity log. All methods are
 * synchronized: events arrive on network threads, the screen reads from the UI thread.
 */
public final class MonitorModel {
    static final int LOG_SIZE = 200;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

    /**
     * The state of a room's event stream: connecting, live, or why it is not (the hub is away, the
     * room is not on it, or it is protected and the monitor has no password, or a wrong one).
     */
    public enum Connection { CONNECTING, LIVE, RECONNECTING, NOT_ON_HUB, PASSWORD_NEEDED, WRONG_PASSWORD }

    /** A participant card. */
    public static final class Card {
        String id;
        String nickname;
        String model;
        String status;
        MachineSpecs specs;
        int inFlight;
        long requests;
        long failures;
        Long lastTtftMs;
        Double lastTokensPerSecond;

        public String id() {
            return id;
        }

        public String status() {
            return status;
        }

        public int inFlight() {
            return inFlight;
        }

        public Long lastTtftMs() {
            return lastTtftMs;
        }

        public Double lastTokensPerSecond() {
            return lastTokensPerSecond;
        }

        public long requests() {
            return requests;
        }
    }

    /** A room tab. */
    public static final class Tab {
        final String code;
        String name;
        Connection connection = Connection.CONNECTING;
        final Map<String, Card> cards = new LinkedHashMap<>();

        Tab(String code) {
            this.code = code;
        }

        public String code() {
            return code;
        }

        public Connection connection() {
            return connection;
        }

        public List<Card> cards() {
            return new ArrayList<>(cards.values());
        }
    }

    private final Map<String, Tab> tabs = new LinkedHashMap<>();
    private final Deque<String> log = new ArrayDeque<>();
    private int selected;
    private boolean expanded;
    private String input;
    private String notice;

    public synchronized Tab addRoom(String code, String name) {
        Tab tab = tabs.computeIfAbsent(code, Tab::new);
        if (name != null) {
            tab.name = name;
        }
        return tab;
    }

    public synchronized boolean hasName(String code) {
        Tab tab = tabs.get(code);
        return tab != null && tab.name != null;
    }

    private boolean passwordGiven;

    /** The monitor was given a password (its rooms are protected): hints say to give one too. */
    public synchronized void passwordGiven(boolean given) {
        this.passwordGiven = given;
    }

    public synchronized boolean passwordGiven() {
        return passwordGiven;
    }

    public synchronized void connection(String code, Connection state) {
        Tab tab = tabs.get(code);
        if (tab != null) {
            tab.connection = state;
        }
    }

    /** Replaces a room's cards with a fresh listing (on connect and on refresh). */
    public synchronized void participants(String code, List<Participant> participants) {
        Tab tab = addRoom(code, null);
        Map<String, Card> old = new LinkedHashMap<>(tab.cards);
        tab.cards.clear();
        for (Participant p : participants) {
            Card card = old.getOrDefault(p.id(), new Card());
            fill(card, p);
            tab.cards.put(p.id(), card);
        }
    }

    private static void fill(Card card, Participant p) {
        card.id = p.id();
        card.nickname = p.nickname();
        card.model = p.model();
        card.status = p.status() == null ? "online" : p.status().wire();
        card.specs = p.specs();
        if (p.stats() != null) {
            card.inFlight = p.stats().inFlight();
            card.requests = p.stats().requests();
            card.failures = p.stats().failures();
            if (p.stats().lastTtftMs() != null) {
                card.lastTtftMs = p.stats().lastTtftMs();
            }
        }
    }

    /** Applies one event of room {@code code}. */
    public synchronized void apply(String code, RoomEvent event, long nowMillis) {
        Tab tab = addRoom(code, null);
        String id = event.participantId();
        Card card = id == null ? null : tab.cards.get(id);
        String who = card == null ? id : card.nickname;
        HubEvent<?> type = event.type();
        if (type == HubEvent.CONNECTED) {
            tab.connection = Connection.LIVE;
        } else if (type == HubEvent.ROOM_CREATED) {
            Room room = event.data(HubEvent.ROOM_CREATED).orElseThrow();
            log(nowMillis, room.code(), "room created: " + room.name());
        } else if (type == HubEvent.PARTICIPANT_JOINED) {
            Participant p = event.data(HubEvent.PARTICIPANT_JOINED).orElseThrow();
            fill(tab.cards.computeIfAbsent(p.id(), k -> new Card()), p);
            log(nowMillis, code, p.nickname() + " joined with " + p.model());
        } else if (type == HubEvent.PARTICIPANT_LEFT) {
            tab.cards.remove(id);
            log(nowMillis, code, who + " left");
        } else if (type == HubEvent.PARTICIPANT_OFFLINE) {
            status(card, "offline");
            log(nowMillis, code, who + " went offline");
        } else if (type == HubEvent.PARTICIPANT_ONLINE) {
            if (card != null && !"online".equals(card.status)) {
                log(nowMillis, code, who + " is " + ("offline".equals(card.status) ? "back online" : "free again"));
            }
            status(card, "online");
        } else if (type == HubEvent.PARTICIPANT_BUSY) {
            status(card, "busy");
            log(nowMillis, code, who + " is busy (at its limit)");
        } else if (type == HubEvent.LLM_REQUEST) {
            Messages.LlmRequest request = event.data(HubEvent.LLM_REQUEST).orElseThrow();
            if (card != null) {
                card.inFlight++;
            }
            log(nowMillis, code, "→ " + who + " (" + request.model() + ")");
        } else if (type == HubEvent.LLM_COMPLETE) {
            Messages.LlmComplete done = event.data(HubEvent.LLM_COMPLETE).orElseThrow();
            if (card != null) {
                card.inFlight = Math.max(0, card.inFlight - 1);
                card.requests++;
                card.lastTtftMs = done.ttftMs();
                card.lastTokensPerSecond = done.tokensPerSecond();
            }
            String api = done.api() == null || done.api().equals("chat") ? "" : " [" + done.api() + "]";
            log(nowMillis, code, "embeddings".equals(done.api())
                    ? String.format(Locale.ROOT, "✓ %s%s  %d input tokens  %d ms", who, api,
                            done.inputTokens() == null ? 0 : done.inputTokens(), done.durationMs())
                    : String.format(Locale.ROOT, "✓ %s%s  %d tokens  %.1f tok/s  ttft %d ms", who, api,
                            done.tokens(), done.tokensPerSecond(), done.ttftMs()));
        } else if (type == HubEvent.LLM_ERROR) {
            Messages.LlmError failed = event.data(HubEvent.LLM_ERROR).orElseThrow();
            if (card != null) {
                card.inFlight = Math.max(0, card.inFlight - 1);
                card.failures++;
            }
            log(nowMillis, code, "✗ " + who + ": " + failed.error());
        }
        // events this monitor does not know are ignored, as the protocol allows
    }

    private static void status(Card card, String status) {
        if (card != null) {
            card.status = status;
        }
    }

    public synchronized void log(long nowMillis, String code, String line) {
        log.addFirst(TIME.format(Instant.ofEpochMilli(nowMillis)) + " " + code + "  " + line);
        while (log.size() > LOG_SIZE) {
            log.removeLast();
        }
    }

    // ---- UI state ----------------------------------------------------------------------------

    public synchronized List<Tab> tabs() {
        return new ArrayList<>(tabs.values());
    }

    public synchronized Tab selectedTab() {
        if (tabs.isEmpty()) {
            return null;
        }
        selected = Math.floorMod(selected, tabs.size());
        return new ArrayList<>(tabs.values()).get(selected);
    }

    public synchronized void nextTab() {
        selected = tabs.isEmpty() ? 0 : (selected + 1) % tabs.size();
    }

    public synchronized void select(String code) {
        int i = 0;
        for (String c : tabs.keySet()) {
            if (c.equals(code)) {
                selected = i;
                return;
            }
            i++;
        }
    }

    public synchronized List<String> log() {
        return new ArrayList<>(log);
    }

    public synchronized boolean expanded() {
        return expanded;
    }

    public synchronized void toggleExpanded() {
        expanded = !expanded;
    }

    /** The room code being typed after {@code a}, or null when not typing. */
    public synchronized String input() {
        return input;
    }

    public synchronized void input(String text) {
        this.input = text;
    }

    public synchronized String notice() {
        return notice;
    }

    public synchronized void notice(String notice) {
        this.notice = notice;
    }

    String title(Tab tab) {
        return tab.name == null ? tab.code : tab.code + " " + tab.name;
    }
}
