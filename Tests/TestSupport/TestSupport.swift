/// Test support shared by the integration tests: network namespaces, veth pairs, a NAT "home router".
public enum TestSupport {}
