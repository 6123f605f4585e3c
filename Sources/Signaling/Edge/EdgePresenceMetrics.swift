/// Prometheus lines of the presence services (appended to `/metrics` by `EdgeMetrics`).
enum EdgePresenceMetrics {
    static func render(_ presence: EdgePresence?) -> String {
        guard let presence else { return "" }
        let c = presence.counters
        let rows: [(String, String, String, Int)] = [
            ("tandem_presence_subscriptions", "gauge", "Live subscriptions (presence and dialog).", presence.table.count),
            ("tandem_presence_stored_messages", "gauge", "MESSAGEs waiting for their recipient.", presence.messages.count),
            ("tandem_presence_subscribes_total", "counter", "SUBSCRIBE requests handled.", c.subscribes),
            ("tandem_presence_publishes_total", "counter", "PUBLISH requests handled.", c.publishes),
            ("tandem_presence_notifies_total", "counter", "NOTIFYs sent.", c.notifies),
            ("tandem_presence_notify_failures_total", "counter", "NOTIFYs refused, failed or timed out.", c.notifyFailures),
            ("tandem_presence_messages_relayed_total", "counter", "MESSAGE copies sent to bindings.", c.messagesRelayed),
            ("tandem_presence_messages_stored_total", "counter", "MESSAGEs stored for offline users.", c.messagesStored),
            ("tandem_presence_messages_delivered_total", "counter", "Stored MESSAGEs delivered (2xx).", c.messagesDelivered),
        ]
        return rows.map { "# HELP \($0.0) \($0.2)\n# TYPE \($0.0) \($0.1)\n\($0.0) \($0.3)\n" }.joined()
    }
}
